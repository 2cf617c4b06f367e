import ControlPlane
public import Logging
import Metrics
public import NIOCore
public import NIOHTTPTypes

/// Closes an HTTP/1 connection at its ``HTTPConnectionDeadlines``: a request head not complete
/// within the header timeout (slowloris, a half-sent request line, a TLS handshake that never
/// ends), a keep-alive connection silent for the idle timeout. It sits at the front of the
/// pipeline, where it sees every byte read; ``HTTPRequestPartObserver``, after the HTTP codec,
/// tells it when a request head was parsed and when a response ended. A close is counted in
/// `relay_http_closed_total{reason}` (`header_timeout`, `idle_timeout`) and logged at debug
/// only, so a flood cannot flood the log.
public final class HTTPDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private let headTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private var deadlines: HTTPConnectionDeadlines?
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    public init(headTimeout: TimeAmount, idleTimeout: TimeAmount, logger: Logger) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadlines?.bytesRead(at: .now()) == true { schedule() }
        context.fireChannelRead(data)
    }

    /// A request head was parsed (from ``HTTPRequestPartObserver``).
    func headRead() {
        deadlines?.headRead()
        schedule()
    }

    /// A response ended (from ``HTTPRequestPartObserver``).
    func responseEnded() {
        if deadlines?.responseEnded(at: .now()) == true { schedule() }
    }

    private func start(_ context: ChannelHandlerContext) {
        guard deadlines == nil else { return }
        deadlines = HTTPConnectionDeadlines(headTimeout: headTimeout, idleTimeout: idleTimeout, openedAt: .now())
        schedule()
    }

    /// One timer at the current deadline (none while a request is answered).
    private func schedule() {
        timer?.cancel()
        timer = nil
        guard let context, let deadline = deadlines?.deadline else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) { bound.value.fired() }
    }

    private func fired() {
        timer = nil
        guard let context, let deadlines else { return }
        guard let expiry = deadlines.expired(at: .now()) else {
            schedule()
            return
        }
        Counter(label: "relay_http_closed_total", dimensions: [("reason", expiry.rawValue)]).increment()
        logger.debug(
            "closing an HTTP connection at its deadline",
            metadata: [
                "remote": "\(context.remoteAddress?.description ?? "?")", "reason": "\(expiry.rawValue)",
            ])
        self.deadlines = nil
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTPDeadlineHandler: Sendable {}

/// After the HTTP codec: tells the connection's ``HTTPDeadlineHandler`` (found in the pipeline
/// when added) that a request head was read and that a response ended.
public final class HTTPRequestPartObserver: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private var deadlines: HTTPDeadlineHandler?

    public init() {}

    public func handlerAdded(context: ChannelHandlerContext) {
        deadlines = try? context.pipeline.syncOperations.handler(type: HTTPDeadlineHandler.self)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadlines = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { deadlines?.headRead() }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd: Bool
        if case .end = unwrapOutboundIn(data) { isEnd = true } else { isEnd = false }
        context.write(data, promise: promise)
        if isEnd { deadlines?.responseEnded() }
    }
}

@available(*, unavailable)
extension HTTPRequestPartObserver: Sendable {}
