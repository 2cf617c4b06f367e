/// One rung of the transcoding ladder: a picture size and the bitrates it is encoded at.
public struct Rendition: Sendable, Equatable {
    public var name: String
    public var width: Int
    public var height: Int
    public var videoKbps: Int
    public var audioKbps: Int

    public init(name: String, width: Int, height: Int, videoKbps: Int, audioKbps: Int) {
        self.name = name
        self.width = width
        self.height = height
        self.videoKbps = videoKbps
        self.audioKbps = audioKbps
    }

    /// Video plus audio, what a site's link must carry for this rung.
    public var totalKbps: Int { videoKbps + audioKbps }

    /// The internal stream a rung of `source` is published on: `live/<classId>_<rung>`.
    public static func streamKey(source: StreamKey, rendition name: String) -> StreamKey {
        StreamKey(app: source.app, name: "\(source.name)_\(name)")
    }

    /// The stream a player of `source`'s rendition `name` gets: the source itself for
    /// `source`, the rung's stream otherwise.
    public static func playedKey(source: StreamKey, rendition name: String) -> StreamKey {
        name == "source" ? source : streamKey(source: source, rendition: name)
    }

    /// The default ladder of the contract: 720p, 480p, 360p.
    public static let defaultLadder: [Rendition] = [
        Rendition(name: "720p", width: 1280, height: 720, videoKbps: 1800, audioKbps: 96),
        Rendition(name: "480p", width: 854, height: 480, videoKbps: 900, audioKbps: 64),
        Rendition(name: "360p", width: 640, height: 360, videoKbps: 450, audioKbps: 48),
    ]
}
