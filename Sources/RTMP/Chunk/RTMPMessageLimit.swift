/// How large a message (and all unfinished messages together) one RTMP connection may send:
/// `beforeAuthorization` until the access policy has allowed its publish, then
/// `afterAuthorization` (`limits.maxMessageBytes`); a player only ever sends commands, so its
/// limit stays small. A connection without a valid key never gets the relay to hold more than
/// a small command's worth for it. Shared by the connection's
/// ``RTMPChunkDecoder`` and its ``RTMPConnectionHandler``, which raises it; both on the
/// channel's event loop.
public final class RTMPMessageLimit {
    /// 64 KiB: commands (connect, createStream, publish, play) are a few hundred bytes.
    public static let defaultBeforeAuthorization = 64 * 1024

    public let beforeAuthorization: Int
    public let afterAuthorization: Int
    public private(set) var isRaised = false

    public init(beforeAuthorization: Int = RTMPMessageLimit.defaultBeforeAuthorization, afterAuthorization: Int) {
        self.beforeAuthorization = min(beforeAuthorization, afterAuthorization)
        self.afterAuthorization = afterAuthorization
    }

    public var current: Int { isRaised ? afterAuthorization : beforeAuthorization }

    /// A publish was allowed.
    public func raise() { isRaised = true }
}

@available(*, unavailable)
extension RTMPMessageLimit: Sendable {}
