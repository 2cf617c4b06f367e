public import NIOCore

extension STUNMessage {
    /// Decodes one STUN message that fills `datagram`'s readable bytes exactly (a UDP datagram,
    /// or one RFC 4571 frame). The buffer's reader index is not moved.
    ///
    /// Checks the header (leading zero bits, magic cookie, a length that is a multiple of 4 and
    /// matches the datagram), walks the attributes bounds-checked, and validates every known
    /// attribute's length and contents. As RFC 8489 says, only the first of repeated attributes
    /// counts, attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored, and
    /// FINGERPRINT must be last.
    public init(decoding datagram: ByteBuffer) throws(STUNError) {
        let size = datagram.readableBytes
        guard size >= Self.headerSize,
            let raw = datagram.getSlice(at: datagram.readerIndex, length: size),
            let typeField = raw.getInteger(at: 0, as: UInt16.self),
            let length = raw.getInteger(at: 2, as: UInt16.self),
            let cookie = raw.getInteger(at: 4, as: UInt32.self),
            let transactionID = STUNTransactionID(buffer: raw, at: 8)
        else {
            throw .tooShort(size)
        }
        guard typeField & 0xC000 == 0 else { throw .notSTUN(firstByte: UInt8(truncatingIfNeeded: typeField >> 8)) }
        guard cookie == Self.magicCookie else { throw .badMagicCookie(cookie) }
        guard length % 4 == 0 else { throw .lengthNotMultipleOfFour(Int(length)) }
        guard Int(length) == size - Self.headerSize else {
            throw .lengthMismatch(declared: Int(length), actual: size - Self.headerSize)
        }

        var scan = AttributeScan(transactionID: transactionID)
        var offset = Self.headerSize
        while offset < size {
            let remaining = size - offset - 4
            guard remaining >= 0,
                let rawType = raw.getInteger(at: offset, as: UInt16.self),
                let valueLength = raw.getInteger(at: offset + 2, as: UInt16.self)
            else {
                // Unreachable while the length is a multiple of 4, but never trap on input.
                throw .attributeOverrun(type: 0, length: 4, remaining: size - offset)
            }
            let padded = (Int(valueLength) + 3) & ~3
            guard padded <= remaining,
                let value = raw.getSlice(at: offset + 4, length: Int(valueLength))
            else {
                throw .attributeOverrun(type: rawType, length: Int(valueLength), remaining: remaining)
            }
            try scan.record(STUNAttributeType(rawValue: rawType), value: value, at: offset)
            offset += 4 + padded
        }

        self.init(
            type: STUNMessageType(rawValue: typeField),
            transactionID: transactionID,
            username: scan.username,
            priority: scan.priority,
            useCandidate: scan.useCandidate,
            iceControlling: scan.iceControlling,
            iceControlled: scan.iceControlled,
            errorCode: scan.errorCode,
            xorMappedAddress: scan.xorMappedAddress,
            mappedAddress: scan.mappedAddress,
            unknownAttributes: scan.unknown,
            raw: raw,
            messageIntegrityOffset: scan.messageIntegrityOffset,
            fingerprintOffset: scan.fingerprintOffset
        )
    }
}

/// What the attribute walk has found so far.
private struct AttributeScan {
    let transactionID: STUNTransactionID
    var username: String?
    var priority: UInt32?
    var useCandidate = false
    var iceControlling: UInt64?
    var iceControlled: UInt64?
    var errorCode: STUNErrorCode?
    var xorMappedAddress: SocketAddress?
    var mappedAddress: SocketAddress?
    var unknown: [STUNAttribute] = []
    var messageIntegrityOffset: Int?
    var fingerprintOffset: Int?

    /// Usernames must be under 513 bytes (RFC 8489 section 14.3).
    static let maxUsernameBytes = 512
    /// Reason phrases are at most 128 characters, 763 bytes (RFC 8489 section 14.8).
    static let maxReasonBytes = 763

    init(transactionID: STUNTransactionID) {
        self.transactionID = transactionID
    }

    mutating func record(_ type: STUNAttributeType, value: ByteBuffer, at offset: Int) throws(STUNError) {
        if fingerprintOffset != nil {
            throw .attributeAfterFingerprint(type: type.rawValue)
        }
        if type == .fingerprint {
            try require(type, value, length: 4)
            fingerprintOffset = offset
            return
        }
        // Everything between MESSAGE-INTEGRITY and FINGERPRINT is outside the integrity check.
        guard messageIntegrityOffset == nil else { return }

        switch type {
        case .messageIntegrity:
            try require(type, value, length: 20)
            messageIntegrityOffset = offset
        case .username:
            guard username == nil else { return }
            guard value.readableBytes <= Self.maxUsernameBytes else {
                throw .invalidAttributeLength(type: type.rawValue, length: value.readableBytes)
            }
            username = try Self.utf8(value, type: type)
        case .priority:
            guard priority == nil else { return }
            try require(type, value, length: 4)
            priority = value.getInteger(at: value.readerIndex, as: UInt32.self)
        case .useCandidate:
            try require(type, value, length: 0)
            useCandidate = true
        case .iceControlling:
            guard iceControlling == nil else { return }
            try require(type, value, length: 8)
            iceControlling = value.getInteger(at: value.readerIndex, as: UInt64.self)
        case .iceControlled:
            guard iceControlled == nil else { return }
            try require(type, value, length: 8)
            iceControlled = value.getInteger(at: value.readerIndex, as: UInt64.self)
        case .errorCode:
            guard errorCode == nil else { return }
            errorCode = try Self.errorCode(value)
        case .xorMappedAddress:
            guard xorMappedAddress == nil else { return }
            xorMappedAddress = try STUNAddressCodec.decode(value, type: type, xorWith: transactionID)
        case .mappedAddress:
            guard mappedAddress == nil else { return }
            mappedAddress = try STUNAddressCodec.decode(value, type: type, xorWith: nil)
        default:
            if unknown.count < STUNMessage.maxKeptUnknownAttributes {
                unknown.append(STUNAttribute(type: type, value: value))
            }
        }
    }

    private func require(_ type: STUNAttributeType, _ value: ByteBuffer, length: Int) throws(STUNError) {
        guard value.readableBytes == length else {
            throw .invalidAttributeLength(type: type.rawValue, length: value.readableBytes)
        }
    }

    private static func utf8(_ value: ByteBuffer, type: STUNAttributeType) throws(STUNError) -> String {
        guard let text = String(validating: value.readableBytesView, as: UTF8.self) else {
            throw .invalidUTF8(type: type.rawValue)
        }
        return text
    }

    /// ERROR-CODE: 21 reserved bits, a 3-bit class (hundreds), an 8-bit number (0–99), reason.
    private static func errorCode(_ value: ByteBuffer) throws(STUNError) -> STUNErrorCode {
        let start = value.readerIndex
        guard value.readableBytes >= 4, value.readableBytes <= 4 + maxReasonBytes,
            let classByte = value.getInteger(at: start + 2, as: UInt8.self),
            let number = value.getInteger(at: start + 3, as: UInt8.self),
            let reasonBytes = value.getSlice(at: start + 4, length: value.readableBytes - 4)
        else {
            throw .invalidAttributeLength(type: STUNAttributeType.errorCode.rawValue, length: value.readableBytes)
        }
        let errorClass = classByte & 0x07
        guard (3...6).contains(errorClass), number < 100 else {
            throw .invalidErrorCode(class: errorClass, number: number)
        }
        let reason = try utf8(reasonBytes, type: .errorCode)
        return STUNErrorCode(code: Int(errorClass) * 100 + Int(number), reason: reason)
    }
}
