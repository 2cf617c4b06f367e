/// Why a peer's RTMP bytes were refused; the connection is closed with this as the reason.
public enum RTMPProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedVersion(UInt8)
    case invalidChunkSize(UInt32)
    case messageTooLarge(Int)
    case tooManyChunkStreams
    /// Unfinished messages of all chunk streams together hold more than the message size limit.
    case tooMuchBuffered(Int)
    /// A message (or unfinished messages together) over the small limit that holds until a
    /// publish is allowed (``RTMPMessageLimit``).
    case tooLargeBeforeAuthorization(Int, limit: Int)
    case continuationWithoutMessage(chunkStream: UInt32)
    case headerChangedMidMessage(chunkStream: UInt32)
    case unknownMessageType(UInt8)
    case malformedMessage(String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let v): return "unsupported RTMP version \(v)"
        case .invalidChunkSize(let s): return "invalid chunk size \(s)"
        case .messageTooLarge(let n): return "message of \(n) bytes exceeds the limit"
        case .tooManyChunkStreams: return "too many chunk streams"
        case .tooMuchBuffered(let n): return "\(n) bytes of unfinished messages exceed the limit"
        case .tooLargeBeforeAuthorization(let n, let limit):
            return "\(n) bytes of messages before a publish was allowed exceed the limit of \(limit) until then"
        case .continuationWithoutMessage(let c): return "chunk stream \(c) continues a message it never started"
        case .headerChangedMidMessage(let c): return "chunk stream \(c) started a new message before finishing one"
        case .unknownMessageType(let t): return "unknown message type \(t)"
        case .malformedMessage(let why): return "malformed message: \(why)"
        }
    }
}
