public import Logging
public import NIOCore

/// Runs ``RTMPHandshake`` on a new connection, then removes itself and passes any bytes that
/// followed C2 to the chunk decoder. A peer that does not finish within `timeout` is closed.
public final class RTMPHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var handshake: RTMPHandshake
    private var buffered: ByteBuffer?
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private let logger: Logger

    public init(timeout: TimeAmount = .seconds(10), logger: Logger) {
        self.timeout = timeout
        self.logger = logger
        self.handshake = RTMPHandshake(serverEpoch: UInt32(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds / 1_000_000))
    }

    public func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let remote = context.remoteAddress?.description ?? "?"
        let logger = self.logger
        timer = context.eventLoop.scheduleTask(in: timeout) {
            logger.notice("closing connection: handshake not completed in time", metadata: ["remote": "\(remote)"])
            RTMPCloseCounter.count(category: "handshake_timeout")
            loopBound.value.close(promise: nil)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var existing = buffered {
            existing.writeBuffer(&incoming)
            incoming = existing
        }
        do {
            while true {
                switch try handshake.feed(&incoming) {
                case .needMoreData:
                    buffered = incoming
                    return
                case .reply(let bytes):
                    context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
                case .complete:
                    timer?.cancel()
                    buffered = nil
                    if incoming.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(incoming)) }
                    context.pipeline.syncOperations.removeHandler(self, promise: nil)
                    return
                }
            }
        } catch {
            logger.notice(
                "closing connection: bad handshake",
                metadata: [
                    "remote": "\(context.remoteAddress?.description ?? "?")", "reason": "\(error)",
                ])
            RTMPCloseCounter.count(category: "bad_handshake")
            timer?.cancel()
            buffered = nil
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RTMPHandshakeHandler: Sendable {}
