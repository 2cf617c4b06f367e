/// Why AMF0 bytes could not be decoded.
public enum AMF0Error: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case unknownMarker(UInt8)
    case unsupportedMarker(UInt8)
    case invalidUTF8
    case tooDeep
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .truncated: return "AMF0 value truncated"
        case .unknownMarker(let m): return "unknown AMF0 marker 0x\(String(m, radix: 16))"
        case .unsupportedMarker(let m): return "unsupported AMF0 marker 0x\(String(m, radix: 16))"
        case .invalidUTF8: return "AMF0 string is not UTF-8"
        case .tooDeep: return "AMF0 value nested too deeply"
        case .tooLarge(let n): return "AMF0 container too large (\(n) entries)"
        }
    }
}
