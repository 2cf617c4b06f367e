/// Why bytes could not be decoded as a STUN message (RFC 8489). Every way a datagram can be
/// malformed ends in one of these; the decoder never traps on input.
public enum STUNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 20 header bytes.
    case tooShort(Int)
    /// The two leading bits of the message type are not zero, so this is not STUN.
    case notSTUN(firstByte: UInt8)
    /// The magic cookie is not 0x2112A442 (classic RFC 3489 STUN, or not STUN at all).
    case badMagicCookie(UInt32)
    /// The header's message length is not a multiple of 4.
    case lengthNotMultipleOfFour(Int)
    /// The header's message length disagrees with the bytes after the header.
    case lengthMismatch(declared: Int, actual: Int)
    /// An attribute's value (with its padding) runs past the end of the message.
    case attributeOverrun(type: UInt16, length: Int, remaining: Int)
    /// A known attribute has a length its definition does not allow.
    case invalidAttributeLength(type: UInt16, length: Int)
    /// An address attribute names a family other than IPv4 (0x01) or IPv6 (0x02).
    case invalidAddressFamily(UInt8)
    /// A text attribute (USERNAME, an ERROR-CODE reason) is not valid UTF-8.
    case invalidUTF8(type: UInt16)
    /// ERROR-CODE's class is outside 3...6 or its number outside 0...99.
    case invalidErrorCode(class: UInt8, number: UInt8)
    /// An attribute follows FINGERPRINT, which must be last.
    case attributeAfterFingerprint(type: UInt16)

    public var description: String {
        switch self {
        case .tooShort(let n): return "STUN message of \(n) bytes is shorter than its 20-byte header"
        case .notSTUN(let b): return "leading bits of first byte 0x\(String(b, radix: 16)) are not zero"
        case .badMagicCookie(let c): return "bad magic cookie 0x\(String(c, radix: 16))"
        case .lengthNotMultipleOfFour(let n): return "message length \(n) is not a multiple of 4"
        case .lengthMismatch(let declared, let actual):
            return "header says \(declared) bytes of attributes, datagram has \(actual)"
        case .attributeOverrun(let type, let length, let remaining):
            return "attribute 0x\(String(type, radix: 16)) of \(length) bytes overruns the \(remaining) left"
        case .invalidAttributeLength(let type, let length):
            return "attribute 0x\(String(type, radix: 16)) has invalid length \(length)"
        case .invalidAddressFamily(let f): return "invalid address family 0x\(String(f, radix: 16))"
        case .invalidUTF8(let type): return "attribute 0x\(String(type, radix: 16)) is not UTF-8"
        case .invalidErrorCode(let c, let n): return "invalid error code class \(c) number \(n)"
        case .attributeAfterFingerprint(let type):
            return "attribute 0x\(String(type, radix: 16)) follows FINGERPRINT"
        }
    }
}
