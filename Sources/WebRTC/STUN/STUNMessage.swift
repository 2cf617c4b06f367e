public import NIOCore

/// A decoded STUN message (RFC 8489) with the attributes ICE-lite needs already interpreted.
///
/// Decode with ``init(decoding:)``; every known attribute is checked as it is read, so the
/// accessors here never fail. Unknown attributes are kept in ``unknownAttributes``. The raw
/// bytes stay with the message so ``validatesIntegrity(password:)`` and
/// ``hasValidFingerprint`` can be checked afterwards. Messages to send are built with the
/// static builders (`STUNMessage+Builders.swift`), which return the wire bytes.
public struct STUNMessage: Sendable {
    public static let magicCookie: UInt32 = 0x2112_A442
    public static let headerSize = 20
    /// XORed into the CRC-32 to make FINGERPRINT (the ASCII of "STUN").
    static let fingerprintXOR: UInt32 = 0x5354_554E
    /// Unknown attributes beyond this many are checked for framing but not kept.
    static let maxKeptUnknownAttributes = 32

    public let type: STUNMessageType
    public let transactionID: STUNTransactionID

    /// USERNAME; for ICE, "<receiver's ufrag>:<sender's ufrag>".
    public let username: String?
    /// PRIORITY: the priority the sender would give a peer-reflexive candidate.
    public let priority: UInt32?
    /// USE-CANDIDATE is present: the controlling agent nominates this pair.
    public let useCandidate: Bool
    /// ICE-CONTROLLING's tie-breaker, if the sender is controlling.
    public let iceControlling: UInt64?
    /// ICE-CONTROLLED's tie-breaker, if the sender is controlled.
    public let iceControlled: UInt64?
    public let errorCode: STUNErrorCode?
    /// XOR-MAPPED-ADDRESS: the address the responder saw the request come from.
    public let xorMappedAddress: SocketAddress?
    /// MAPPED-ADDRESS, the unmasked form old servers send.
    public let mappedAddress: SocketAddress?
    /// Attributes not interpreted here, in order (at most ``maxKeptUnknownAttributes``).
    public let unknownAttributes: [STUNAttribute]

    /// The whole message as received, reader index 0.
    let raw: ByteBuffer
    /// Where the MESSAGE-INTEGRITY attribute's header starts in `raw`.
    let messageIntegrityOffset: Int?
    /// Where the FINGERPRINT attribute's header starts in `raw`.
    let fingerprintOffset: Int?

    public var isBindingRequest: Bool { type == .bindingRequest }
    public var isBindingSuccess: Bool { type == .bindingSuccessResponse }
    public var isBindingError: Bool { type == .bindingErrorResponse }

    /// Whether MESSAGE-INTEGRITY is present (whether it is right needs the password).
    public var hasMessageIntegrity: Bool { messageIntegrityOffset != nil }
    public var hasFingerprint: Bool { fingerprintOffset != nil }

    /// Unknown attributes the sender said must be understood; a request carrying any should
    /// get a 420 (Unknown Attribute) error response.
    public var unknownComprehensionRequiredAttributes: [STUNAttributeType] {
        unknownAttributes.map(\.type).filter(\.isComprehensionRequired)
    }
}
