import NIOCore

/// Where a session's datagrams go: the media server's socket, or a collector in tests.
protocol DatagramOutput: AnyObject {
    func send(_ datagram: ByteBuffer, to address: SocketAddress)
    /// Hands what was sent since the last flush to the socket (one batch of writes).
    func flush()
}

extension DatagramOutput {
    func flush() {}
}
