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
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket error (e.g. ICMP port unreachable from a gone viewer) concerns one
        // peer only; the socket keeps serving the others.
    }
}

@available(*, unavailable)
extension WebRTCDatagramHandler: Sendable {}

/// Writes a session's datagrams to the shared socket; flushed by the caller once per batch.
final class ChannelDatagramOutput: DatagramOutput {
    private let channel: any Channel
    private(set) var pendingWrites = 0

    init(channel: any Channel) {
        self.channel = channel
    }

    func send(_ datagram: ByteBuffer, to address: SocketAddress) {
        channel.write(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
        pendingWrites += 1
    }

    func flush() {
        guard pendingWrites > 0 else { return }
        pendingWrites = 0
        channel.flush()
    }
}

@available(*, unavailable)
extension ChannelDatagramOutput: Sendable {}
