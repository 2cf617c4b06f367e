/// The class of a STUN message: the two class bits C1 C0 interleaved into the message type.
public enum STUNMessageClass: UInt8, Sendable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11
}

/// The 14-bit STUN message type: a 12-bit method with the two class bits interleaved
/// (RFC 8489 section 5: M11..M7 C1 M6..M4 C0 M3..M0).
public struct STUNMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    /// The Binding method, the only one ICE uses.
    public static let bindingMethod: UInt16 = 0x001

    public static let bindingRequest = STUNMessageType(method: bindingMethod, messageClass: .request)
    public static let bindingIndication = STUNMessageType(method: bindingMethod, messageClass: .indication)
    public static let bindingSuccessResponse = STUNMessageType(method: bindingMethod, messageClass: .successResponse)
    public static let bindingErrorResponse = STUNMessageType(method: bindingMethod, messageClass: .errorResponse)

    public init(rawValue: UInt16) {
        self.rawValue = rawValue & 0x3FFF
    }

    public init(method: UInt16, messageClass: STUNMessageClass) {
        let m = method & 0x0FFF
        let c = UInt16(messageClass.rawValue)
        rawValue = (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7)
    }

    /// The 12-bit method, class bits removed.
    public var method: UInt16 {
        (rawValue & 0x000F) | ((rawValue >> 1) & 0x0070) | ((rawValue >> 2) & 0x0F80)
    }

    public var messageClass: STUNMessageClass {
        // Two bits always name one of the four cases.
        STUNMessageClass(rawValue: UInt8(((rawValue >> 4) & 0b01) | ((rawValue >> 7) & 0b10))) ?? .request
    }

    public var description: String {
        "STUN method 0x\(String(method, radix: 16)) \(messageClass)"
    }
}
