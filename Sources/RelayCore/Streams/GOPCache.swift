/// The messages since the latest video keyframe, so a new player starts on a keyframe at once.
///
/// Sequence headers and metadata are not kept here (the stream keeps the latest of each).
/// The cache is bounded in bytes: a group of pictures larger than `maxBytes` stops being cached
/// until the next keyframe, and players joining then wait for that keyframe.
public struct GOPCache: Sendable {
    public let maxBytes: Int
    public private(set) var messages: [MediaMessage] = []
    public private(set) var bytes = 0
    private var overflowed = false

    public init(maxBytes: Int = 16 << 20) {
        self.maxBytes = maxBytes
        messages.reserveCapacity(256)
    }

    /// True when the cache begins with a keyframe a player can start on.
    public var startsWithKeyframe: Bool { messages.first?.isKeyframe ?? false }

    public mutating func append(_ message: MediaMessage) {
        if message.kind == .video && message.isKeyframe {
            messages.removeAll(keepingCapacity: true)
            bytes = 0
            overflowed = false
        } else if messages.isEmpty || overflowed {
            // Nothing to start on before the first keyframe.
            return
        }
        if bytes + message.wireSize > maxBytes {
            overflowed = true
            messages.removeAll(keepingCapacity: true)
            bytes = 0
            return
        }
        messages.append(message)
        bytes += message.wireSize
    }

    public mutating func reset() {
        messages.removeAll(keepingCapacity: true)
        bytes = 0
        overflowed = false
    }
}
