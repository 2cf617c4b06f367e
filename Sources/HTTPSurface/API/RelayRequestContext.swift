import ControlPlane
public import Hummingbird
public import NIOCore

/// The API's request context: Hummingbird's basics plus the peer's address, which the
/// failed-authentication lockout is keyed by.
public struct RelayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection's event loop (an adaptive HTTP-FLV player's timer runs there).
    public let eventLoop: any EventLoop

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        eventLoop = source.channel.eventLoop
    }
}
