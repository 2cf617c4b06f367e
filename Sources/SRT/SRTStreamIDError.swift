/// Why a streamid was not understood; the text never includes the key.
public enum SRTStreamIDError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case controlCharacter
    case malformedEntry(index: Int)
    case duplicateKey(String)
    case missingResource
    case malformedResource(String)
    case unsupportedMode(String)
    case unsupportedType(String)

    public var description: String {
        switch self {
        case .empty: return "empty streamid (expected #!::r=live/<classId>,m=publish|request,s=<key>)"
        case .tooLong(let n): return "streamid is \(n) bytes, longer than \(SRTStreamID.maxLength)"
        case .controlCharacter: return "streamid contains control characters"
        case .malformedEntry(let i): return "streamid entry \(i) is not key=value"
        case .duplicateKey(let k): return "streamid repeats '\(k)='"
        case .missingResource: return "streamid has no r= (expected r=live/<classId>)"
        case .malformedResource(let r): return "streamid resource '\(r)' is not live/<classId>"
        case .unsupportedMode(let m): return "streamid mode '\(m)' is not publish or request"
        case .unsupportedType(let t): return "streamid type '\(t)' is not stream"
        }
    }
}
