import NIOCore

/// Where a session's datagrams go: the media server's socket, or a collector in tests.
protocol DatagramOutput: AnyObject {
    func send(_ datagram: ByteBuffer, to address: SocketAddress)
    /// Hands what was sent since the last flush to the socket (one batch of writes).
    func flush()
    /// An empty buffer of at least `capacity` bytes for one outgoing packet, uniquely owned so
    /// it can be written and SRTP-protected in place; `send` it (or drop it).
    func packetBuffer(capacity: Int) -> ByteBuffer
}

extension DatagramOutput {
    func flush() {}
    func packetBuffer(capacity: Int) -> ByteBuffer { ByteBufferAllocator().buffer(capacity: capacity) }
}
