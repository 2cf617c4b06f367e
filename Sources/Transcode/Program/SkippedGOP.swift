import RelayCore

/// The source's video since its latest keyframe while the class's transcoder decodes nothing (no
/// rung made, no program played): when the program is wanted, these are decoded in a burst (not
/// encoded), so the program starts at the source's current picture rather than its next keyframe
/// (up to a GOP later). Owned by the transcoder's thread.
struct SkippedGOP {
    private var messages: [MediaMessage] = []
    /// A longer GOP is not kept (the burst would cost more than the wait).
    static let maximumPictures = 150

    mutating func keep(_ message: MediaMessage) {
        if message.isKeyframe {
            messages = [message]
        } else if !messages.isEmpty {
            messages.append(message)
            if messages.count > Self.maximumPictures { messages.removeAll() }
        }
    }

    /// The kept messages, from a keyframe on (empty when none); forgets them.
    mutating func take() -> [MediaMessage] {
        defer { messages.removeAll() }
        return messages
    }
}
