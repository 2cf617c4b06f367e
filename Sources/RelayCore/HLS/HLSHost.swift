public import NIOCore

/// One HLS client as the routes know it: its opaque token (the id its fetches are counted
/// under), the school whose key it showed and that site's downlink, where known, and whether its
/// media playlists list parts as segments (a player that ignores parts: Chromium's own).
public struct HLSClient: Sendable, Hashable {
    public let id: String
    public let schoolId: String?
    public let bandwidthKbps: Int?
    public let listsPartsAsSegments: Bool

    public init(id: String, schoolId: String?, bandwidthKbps: Int? = nil, listsPartsAsSegments: Bool = false) {
        self.id = id
        self.schoolId = schoolId
        self.bandwidthKbps = bandwidthKbps
        self.listsPartsAsSegments = listsPartsAsSegments
    }
}

/// Where a blocking playlist reload waits to (`_HLS_msn`, `_HLS_part`).
public struct HLSPosition: Sendable, Equatable {
    public let mediaSequence: Int
    public let part: Int?

    public init(mediaSequence: Int, part: Int?) {
        self.mediaSequence = mediaSequence
        self.part = part
    }
}

/// What the HTTP routes ask of the HLS packager: playlists and the bytes they name, for a source
/// stream and one of its variants (`source` or a rung name). Access was checked by the routes.
public protocol HLSHost: Sendable {
    /// The multivariant playlist of the ladder and the source; `query` is appended to every URI
    /// (the client's token). Nil when the stream is not live.
    func multivariantPlaylist(for source: StreamKey, query: String, client: HLSClient) async -> String?
    /// A variant's media playlist, waiting (a few segments' time at most) when the variant just
    /// started, or, for a blocking reload, until it lists `blockingUntil`. Nil when the stream or
    /// variant does not exist.
    func mediaPlaylist(for source: StreamKey, variant: String, query: String, blockingUntil: HLSPosition?, client: HLSClient) async -> String?
    /// Part `index` of segment `sequence` (low-latency HLS), waiting briefly for the next part.
    func part(for source: StreamKey, variant: String, sequence: Int, index: Int, client: HLSClient) async -> ByteBuffer?
    /// An init section (ftyp + moov) by its number in the media playlist's EXT-X-MAP.
    func initSection(for source: StreamKey, variant: String, number: Int, client: HLSClient) -> ByteBuffer?
    /// A media segment by its media sequence number; nil once it left the window.
    func segment(for source: StreamKey, variant: String, sequence: Int, client: HLSClient) -> ByteBuffer?
}
