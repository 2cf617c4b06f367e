import RelayCore

/// Where the plain name's source variant changes feed (the source to the class's program when
/// the stage fills, and back when it empties): the new feed's items are scanned until a keyframe
/// not older than the last picture muxed; from there the variant takes the new feed, its newest
/// sequence headers first (a new init section). Pure value, unit-tested without streams.
struct HLSFeedSwitch: Sendable {
    private var videoHeader: MediaMessage?
    private var audioHeader: MediaMessage?

    /// `videoHeader` and `audioHeader`: the new feed's stream's current ones (a feed the variant
    /// was subscribed to all along sent them long ago); newer ones in the feed replace them.
    init(videoHeader: MediaMessage? = nil, audioHeader: MediaMessage? = nil) {
        self.videoHeader = videoHeader
        self.audioHeader = audioHeader
    }

    /// The new feed's next items; returns the media to mux from the switch on (the headers, the
    /// keyframe and what follows it), or nil while no such keyframe came.
    mutating func scan(_ items: [StreamItem], afterVideoAt lastVideo: Int64?) -> [MediaMessage]? {
        for (index, item) in items.enumerated() {
            guard case .media(let message) = item else { continue }
            if message.isSequenceHeader {
                if message.kind == .video { videoHeader = message } else if message.kind == .audio { audioHeader = message }
                continue
            }
            guard message.kind == .video, message.isKeyframe, let videoHeader,
                Int64(message.timestamp) >= (lastVideo ?? Int64.min)
            else { continue }
            let rest = items[index...].compactMap { item -> MediaMessage? in
                if case .media(let message) = item { return message }
                return nil
            }
            return [videoHeader] + [audioHeader].compactMap { $0 } + rest
        }
        return nil
    }
}
