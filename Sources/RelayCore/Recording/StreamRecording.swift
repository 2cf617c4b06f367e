/// What a recorder has written so far.
public struct RecordingProgress: Sendable, Equatable {
    /// Bytes in the file (the init section, complete fragments and, once finished, the trailer).
    public var bytes: Int64 = 0
    /// Media time in complete fragments.
    public var durationMillis: Int64 = 0
    public var fragments = 0
    /// Video frames dropped because the writer fell behind the stream.
    public var droppedFrames = 0

    public init() {}
}

/// Why a recorder stopped writing.
public enum RecordingEnd: Sendable, Equatable {
    /// The stream ended: its publisher did not return within the grace period.
    case streamEnded(reason: String)
    /// Its owner stopped it (the occurrence is over, or the relay is stopping).
    case stopped
    /// The file could not be written (disk full, I/O error); what was written plays.
    case failed(String)
    /// A new publisher sent another codec configuration, which one MP4 file cannot hold.
    case tracksChanged
}

/// One stream being recorded to a file by a writer of its own (never an event loop).
public protocol StreamRecording: AnyObject, Sendable {
    var key: StreamKey { get }
    var progress: RecordingProgress { get }
    /// Writes what is queued and the last fragment, closes the file and joins the writer's
    /// thread. Blocks (briefly): call it off event loops and Swift's cooperative pool. Idempotent.
    func stop()
}

/// Starts recorders: the media layer's side of recording, given to the control plane.
public protocol StreamRecorderFactory: Sendable {
    /// Subscribes a new recorder to `key` in `registry`, writing `path` (which must not exist)
    /// and its fragment index `path + ".idx"`. `onEnd` is called once, on the writer's thread,
    /// when it stops for any reason but ``StreamRecording/stop()``.
    func record(
        _ key: StreamKey, path: String, registry: StreamRegistry,
        onEnd: @escaping @Sendable (RecordingEnd, RecordingProgress) -> Void
    ) throws -> any StreamRecording
}
