import NIOCore

/// One ICE-TCP connection (RFC 6544, passive): its framed packets go to the runtime exactly as
/// UDP datagrams do, keyed by the connection's remote address; what the runtime sends to that
/// address comes back out here. For schools whose firewall drops UDP.
final class ICETCPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let runtime: WebRTCRuntime
    private var remote: SocketAddress?

    init(runtime: WebRTCRuntime) {
        self.runtime = runtime
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let address = context.channel.remoteAddress else { return context.close(promise: nil) }
        remote = address
        runtime.routes.addTCP(context.channel, for: address)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let remote else { return }
        runtime.receive(unwrapInboundIn(data), from: remote)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        runtime.routes.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let remote { runtime.routes.removeTCP(for: remote) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A framing error (zero or oversize length) or a reset concerns this connection only.
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ICETCPConnectionHandler: Sendable {}
