import NIOCore

/// The UDP socket's only handler: hands every datagram to the runtime (which demultiplexes by
/// 5-tuple and ICE ufrag) and flushes what the sessions wrote once per read batch.
final class WebRTCDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let runtime: WebRTCRuntime

    init(runtime: WebRTCRuntime) {
        self.runtime = runtime
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        runtime.receive(envelope.data, from: envelope.remoteAddress)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        runtime.routes.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket error (e.g. ICMP port unreachable from a gone viewer) concerns one
        // peer only; the socket keeps serving the others.
    }
}

@available(*, unavailable)
extension WebRTCDatagramHandler: Sendable {}

/// Where the sessions' packets go: to an ICE-TCP connection when the address is one (framed by
/// its pipeline), else to the shared UDP socket. Flushed by the runtime once per batch.
///
/// Media packets are written into pooled send buffers: a buffer handed to the channel is kept in
/// its slot, and once NIO has written it (after the flush) it is uniquely owned again and reused
/// without an allocation; a batch longer than the pool is flushed when the pool wraps. A buffer
/// NIO still holds (the socket was full) is copied on write, never overwritten.
final class WebRTCRoutes: DatagramOutput {
    var udp: (any Channel)?
    private var tcp: [SocketAddress: any Channel] = [:]
    private var dirtyTCP: [SocketAddress: any Channel] = [:]
    private var udpDirty = false
    private var pool: [ByteBuffer?] = Array(repeating: nil, count: 1024)
    private var nextSlot = 0
    private var lent = false
    private var sentSinceFlush = 0
    private let allocator = ByteBufferAllocator()
    static let packetCapacity = 1536

    func packetBuffer(capacity: Int) -> ByteBuffer {
        if sentSinceFlush >= pool.count { flush() }
        lent = true
        guard var buffer = pool[nextSlot].take(), buffer.capacity >= capacity else {
            return allocator.buffer(capacity: max(capacity, Self.packetCapacity))
        }
        buffer.clear()
        return buffer
    }

    func addTCP(_ channel: any Channel, for address: SocketAddress) { tcp[address] = channel }
    func removeTCP(for address: SocketAddress) {
        tcp[address] = nil
        dirtyTCP[address] = nil
    }
    var tcpConnectionCount: Int { tcp.count }

    func send(_ datagram: ByteBuffer, to address: SocketAddress) {
        if lent {
            // Kept for reuse once written (a pooled packet comes back here; STUN/DTLS/RTCP do not).
            lent = false
            pool[nextSlot] = datagram
            nextSlot = (nextSlot + 1) % pool.count
        }
        sentSinceFlush += 1
        if let connection = tcp[address] {
            connection.write(datagram, promise: nil)
            dirtyTCP[address] = connection
        } else if let udp {
            udp.write(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
            udpDirty = true
        }
    }

    func flush() {
        sentSinceFlush = 0
        if udpDirty {
            udpDirty = false
            udp?.flush()
        }
        if !dirtyTCP.isEmpty {
            for connection in dirtyTCP.values { connection.flush() }
            dirtyTCP.removeAll(keepingCapacity: true)
        }
    }

    /// Closes every ICE-TCP connection (shutdown).
    func closeTCP() {
        for connection in tcp.values { connection.close(promise: nil) }
        tcp.removeAll()
    }
}

@available(*, unavailable)
extension WebRTCRoutes: Sendable {}
