import NIOCore
import RelayCore

/// Rung streams whose rung the source cannot feed but which have players anyway (pinned before
/// the transcoder decided, or on a rung an earlier publisher fed): each gets a copy of the
/// source's messages, from a keyframe on, after the source's sequence headers. No encode.
struct SourcePassThrough {
    private var sessions: [StreamKey: PublishSession] = [:]

    func contains(_ key: StreamKey) -> Bool { sessions[key] != nil }

    /// Starts passing the source to `session`'s stream with `headers` (the source's configuration).
    mutating func start(_ session: PublishSession, headers: [MediaMessage], allocator: ByteBufferAllocator) {
        sessions[session.stream.key] = session
        for header in headers { Self.publishCopy(of: header, to: session, allocator: allocator) }
    }

    /// Copies one source message to every passed-through stream.
    func forward(_ message: MediaMessage, allocator: ByteBufferAllocator) {
        for session in sessions.values { Self.publishCopy(of: message, to: session, allocator: allocator) }
    }

    mutating func end(_ key: StreamKey) {
        sessions.removeValue(forKey: key)?.end()
    }

    mutating func endAll() {
        for session in sessions.values { session.end() }
        sessions.removeAll()
    }

    /// Each stream frames its own copy in place.
    private static func publishCopy(of message: MediaMessage, to session: PublishSession, allocator: ByteBufferAllocator) {
        var payload = MediaMessage.allocatePayload(capacity: message.size, allocator: allocator)
        var body = message.payload
        payload.writeBuffer(&body)
        session.publish(MediaMessage(kind: message.kind, timestamp: message.timestamp, payload: payload))
    }
}
