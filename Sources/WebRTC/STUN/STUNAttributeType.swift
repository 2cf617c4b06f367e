/// A STUN attribute type (RFC 8489 section 14, RFC 8445 section 16.1). Types below 0x8000 are
/// comprehension-required: a receiver that does not know one must refuse a request carrying it.
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let mappedAddress = STUNAttributeType(rawValue: 0x0001)
    public static let username = STUNAttributeType(rawValue: 0x0006)
    public static let messageIntegrity = STUNAttributeType(rawValue: 0x0008)
    public static let errorCode = STUNAttributeType(rawValue: 0x0009)
    public static let unknownAttributes = STUNAttributeType(rawValue: 0x000A)
    public static let xorMappedAddress = STUNAttributeType(rawValue: 0x0020)
    public static let priority = STUNAttributeType(rawValue: 0x0024)
    public static let useCandidate = STUNAttributeType(rawValue: 0x0025)
    public static let software = STUNAttributeType(rawValue: 0x8022)
    public static let fingerprint = STUNAttributeType(rawValue: 0x8028)
    public static let iceControlled = STUNAttributeType(rawValue: 0x8029)
    public static let iceControlling = STUNAttributeType(rawValue: 0x802A)

    /// Types 0x0000–0x7FFF must be understood by the receiver (RFC 8489 section 14).
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    public var description: String { "0x" + String(rawValue, radix: 16) }
}
