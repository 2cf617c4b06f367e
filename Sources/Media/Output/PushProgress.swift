/// A snapshot of a running ``MediaPusher``, reported about twice a second.
public struct PushProgress: Sendable, Equatable {
    /// Wall-clock seconds since the push started.
    public var elapsedSeconds: Double
    /// Video frames sent so far.
    public var framesSent: Int
    /// Video frames per second over the last report interval.
    public var fps: Double
    /// Kilobits per second sent over the last report interval.
    public var kbps: Double
    /// Packets dropped (while waiting for a keyframe after a reconnect).
    public var dropped: Int
    /// Successful reconnects after a write error.
    public var reconnects: Int
    /// Whether the output is currently disconnected and waiting to reconnect.
    public var reconnecting: Bool

    public init(
        elapsedSeconds: Double = 0, framesSent: Int = 0, fps: Double = 0, kbps: Double = 0,
        dropped: Int = 0, reconnects: Int = 0, reconnecting: Bool = false
    ) {
        self.elapsedSeconds = elapsedSeconds
        self.framesSent = framesSent
        self.fps = fps
        self.kbps = kbps
        self.dropped = dropped
        self.reconnects = reconnects
        self.reconnecting = reconnecting
    }
}

/// Why a push could not start or go on.
public enum PushError: Error, CustomStringConvertible, Sendable {
    /// The input could not be opened or read.
    case input(FFmpegError)
    /// The input has a stream this pusher cannot send without re-encoding.
    case unsupportedCodec(String)
    /// The input has neither video nor audio.
    case noMediaStreams
    /// The first connection to the server failed; `log` holds what libav* reported
    /// (e.g. `Server error: publish refused: …`).
    case connectFailed(FFmpegError, log: [String])

    /// The server's own reason, when libav* logged one (`Server error: …`).
    public var serverMessage: String? {
        guard case .connectFailed(_, let log) = self else { return nil }
        for line in log.reversed() {
            if let range = line.range(of: "Server error: ") { return String(line[range.upperBound...]) }
        }
        return nil
    }

    public var description: String {
        switch self {
        case .input(let error): "cannot read input: \(error)"
        case .unsupportedCodec(let name):
            "input codec \(name) cannot be sent without re-encoding (H.264 video and AAC audio only)"
        case .noMediaStreams: "input has no audio or video stream"
        case .connectFailed(let error, let log):
            if let serverMessage { "server refused: \(serverMessage)" } else if let last = log.last { "\(error); \(last)" } else { "\(error)" }
        }
    }
}

/// How a push ended without error.
public enum PushOutcome: Sendable, Equatable {
    /// The input ended (and `loop` was off).
    case endOfInput
    /// ``PushStopSignal/stop()`` was called.
    case stopped
}
