import RelayCore

/// What one WebRTC feed gives its viewers: a stream's picture (and, for a source stream, its
/// sound), or the class's program audio alone, taken from a rung while sites are on stage: the
/// mix everyone hears, or an on-stage site's mix-minus (the program without that site's own
/// voice, for its own viewers). One feed, so one Opus encode, per distinct sound.
enum FeedKey: Hashable, CustomStringConvertible, Sendable {
    case stream(StreamKey)
    case programAudio(rung: StreamKey, mixMinusSite: String?)

    /// The stream the feed subscribes to.
    var stream: StreamKey {
        switch self {
        case .stream(let key): key
        case .programAudio(let rung, _): rung
        }
    }

    /// The site whose mix-minus the feed asks its stream for (the stream hands it that site's
    /// packets: ``StreamSubscriber/mixMinusSite``).
    var mixMinusSite: String? {
        switch self {
        case .stream: nil
        case .programAudio(_, let site): site
        }
    }

    var isProgramAudio: Bool {
        if case .programAudio = self { true } else { false }
    }

    var description: String {
        switch self {
        case .stream(let key): "\(key)"
        case .programAudio(let rung, let site): "\(rung) program audio" + (site.map { " without \($0)" } ?? "")
        }
    }
}
