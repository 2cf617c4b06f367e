import ControlPlane
import HTTPSurface
import HummingbirdCore
import Logging
import NIOCore
import RTMP

/// The API's child channel behind a ``ConnectionLimiter``: over `limits.maxConnections` in all or
/// `limits.maxConnectionsPerIP` from one address, a new HTTP connection is closed before any
/// HTTP handler exists (counted as `relay_connections_refused_total{protocol="http"}`). An
/// admitted connection gets an ``HTTPDeadlineHandler`` in front of everything else (TLS
/// included): `http.headerTimeoutSeconds` for a request head, `http.idleTimeoutSeconds` between
/// requests.
struct LimitedHTTPChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let limiter: ConnectionLimiter
    var headTimeout: TimeAmount = .seconds(10)
    var idleTimeout: TimeAmount = .seconds(30)

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        if limiter.admit(address) != nil {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.inputClosed)
        }
        channel.closeFuture.whenComplete { _ in limiter.release(address) }
        do {
            try channel.pipeline.syncOperations.addHandler(
                HTTPDeadlineHandler(headTimeout: headTimeout, idleTimeout: idleTimeout, logger: logger)
            )
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
