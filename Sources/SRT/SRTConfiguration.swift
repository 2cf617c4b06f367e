public import RelayCore

/// SRT listener settings from relayd's `srt.*` keys (and the `player.*` ones SRT players share).
public struct SRTConfiguration: Sendable {
    /// Receiver latency in milliseconds (SRTO_LATENCY: both directions; the larger of the two
    /// peers' values wins).
    public var latencyMs: Int = 200
    /// When set, every peer must use the same passphrase (AES); others are refused.
    public var passphrase: String?
    /// AES key length in bytes when encrypting: 16, 24 or 32.
    public var pbkeylen: Int = 16
    /// SRTO_MAXBW in bytes per second; nil keeps libsrt's default.
    public var maxBandwidth: Int64?
    /// A player whose link accepts nothing this long is closed.
    public var playerStallTimeoutSeconds: Double = 20
    /// How long the listen callback waits for the access policy before refusing (1503).
    public var authorizationTimeoutSeconds: Double = 2
    /// A site's downlink when its grant has none; with a known downlink, a player of the
    /// plain class name is adaptive.
    public var defaultBandwidthKbps: Int?
    /// Rung-choice timing shared with RTMP players (the backlog thresholds are SRT's own).
    public var renditionSelection = RenditionSelector.Configuration()

    public init() {}
}
