import RelayCore

/// Where a site's copy of an HLS variant takes over from the variant everyone else fetches: the
/// copy muxes the same pictures with the site's mix-minus audio (it is on the stage, and its own
/// voice must not come back to its classroom), and its segments carry the same numbers as the
/// shared variant's, so a client moves between the two at any playlist reload without a gap.
/// The copy takes over at a keyframe where the shared variant started the segment it is
/// building: from there, the same pictures and the same cutting make the same segments and parts.
/// Pure value, unit-tested without streams.
struct HLSSiteCopyStart: Sendable {
    /// The copy's feed from its latest keyframe on (pictures and audio, no sequence headers).
    private(set) var pending: [MediaMessage] = []
    /// More than a few seconds of feed without the shared variant starting a segment at its
    /// keyframe: dropped, and the next keyframe tried.
    static let maximumPending = 600

    /// A message of the copy's feed (sequence headers go to its muxer's tracks, not here).
    mutating func take(_ message: MediaMessage) {
        if message.kind == .video, message.isKeyframe {
            pending.removeAll(keepingCapacity: true)
            pending.append(message)
        } else if !pending.isEmpty {
            if pending.count >= Self.maximumPending { pending.removeAll(keepingCapacity: true) } else { pending.append(message) }
        }
    }

    /// With the stream timestamp at which the shared variant started the segment it is building
    /// (nil: it builds none), the messages to mux from the takeover on (its keyframe first), or
    /// nil while it cannot take over yet. A shared segment started after the pending keyframe
    /// means that keyframe started none: the copy waits for its next one.
    mutating func takeover(sharedSegmentStart: Int64?) -> [MediaMessage]? {
        guard let first = pending.first, let start = sharedSegmentStart else { return nil }
        let keyframe = Int64(first.timestamp)
        if start == keyframe {
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        if start > keyframe { pending.removeAll(keepingCapacity: true) }
        return nil
    }
}
