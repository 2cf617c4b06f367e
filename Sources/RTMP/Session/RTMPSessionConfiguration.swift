public import Logging
public import NIOCore
public import RelayCore

/// What every RTMP connection of a server shares.
public struct RTMPSessionConfiguration: Sendable {
    /// Chunk size the relay writes with (announced by Set Chunk Size at connect).
    public var outChunkSize: Int = 60_000
    /// Window Acknowledgement Size and Set Peer Bandwidth announced to clients.
    public var windowAcknowledgementSize: UInt32 = 5_000_000
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// A connection that is neither playing nor sending anything for this long is closed.
    public var idleTimeout: TimeAmount = .seconds(30)
    /// Largest message accepted from a peer.
    public var maxMessageSize: Int = 16 << 20
    /// Media a publisher may send while its publish is being authorized.
    public var maxPendingPublishBytes: Int = 8 << 20
    /// Per-player backlog limits.
    public var playerQueueLimits: PlayerQueue.Limits = .init()
    /// A player that accepts no byte for this long (while media waits for it) is closed.
    public var playerStallTimeout: TimeAmount = .seconds(20)
    /// A site's downlink when the access policy does not know it (auth.mode open); nil: unknown,
    /// and an adaptive player with an unknown link plays the source.
    public var defaultBandwidthKbps: Int?
    /// How adaptive players step between rungs.
    public var renditionSelection: RenditionSelector.Configuration = .init()
    /// Open connections the listener accepts in all; more are closed at once (and counted).
    public var maxConnections: Int = 1000
    /// Open connections the listener accepts from one IP address.
    public var maxConnectionsPerIP: Int = 100

    public init() {}
}

/// The collaborators of an RTMP connection.
public struct RTMPSessionContext: Sendable {
    public let configuration: RTMPSessionConfiguration
    public let registry: StreamRegistry
    public let flushSchedulers: FlushSchedulerPool
    public let accessPolicy: any AccessPolicy
    public let logger: Logger
    /// The rungs being transcoded, for `<classId>_<rung>` names and adaptive players.
    public let renditions: RenditionDirectory

    public init(
        configuration: RTMPSessionConfiguration, registry: StreamRegistry, flushSchedulers: FlushSchedulerPool,
        accessPolicy: any AccessPolicy, logger: Logger, renditions: RenditionDirectory = RenditionDirectory()
    ) {
        self.renditions = renditions
        self.configuration = configuration
        self.registry = registry
        self.flushSchedulers = flushSchedulers
        self.accessPolicy = accessPolicy
        self.logger = logger
    }
}
