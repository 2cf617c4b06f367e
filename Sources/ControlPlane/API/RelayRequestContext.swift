import Hummingbird
import NIOCore

/// The API's request context: Hummingbird's basics plus the peer's address, which the
/// failed-authentication lockout is keyed by.
public struct RelayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
