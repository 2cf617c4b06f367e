import NIOCore

/// One ICE-TCP connection (RFC 6544, passive): its framed packets go to the runtime exactly as
/// UDP datagrams do, keyed by the connection's remote address; what the runtime sends to that
/// address comes back out here. For schools whose firewall drops UDP.
///
/// A connection no session knows (no valid binding request with a session's ufrag and password
/// has come over it) `idleTimeout` after it opened, or at any check every `idleTimeout` after
/// that (its session ended), is closed: connecting and sending nothing, or garbage, holds no
/// socket for long.
final class ICETCPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let runtime: WebRTCRuntime
    private let idleTimeout: TimeAmount
    private var remote: SocketAddress?
    private var check: RepeatedTask?

    init(runtime: WebRTCRuntime, idleTimeout: TimeAmount) {
        self.runtime = runtime
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard remote == nil else { return }
        guard let address = context.channel.remoteAddress else { return context.close(promise: nil) }
        remote = address
        runtime.routes.addTCP(context.channel, for: address)
        let runtime = NIOLoopBound(runtime, eventLoop: context.eventLoop)
        let channel = context.channel
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: idleTimeout, delay: idleTimeout) { _ in
            if !runtime.value.knows(address) { channel.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let remote else { return }
        runtime.receive(unwrapInboundIn(data), from: remote)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        runtime.routes.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
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
