public import Crypto
import NIOCore

extension STUNMessage {
    /// Whether MESSAGE-INTEGRITY is present and right for the short-term credential `password`
    /// (RFC 8489 section 14.5; ICE uses the remote or local ICE password, whose UTF-8 bytes
    /// are the key).
    ///
    /// The HMAC-SHA1 covers the message up to the MESSAGE-INTEGRITY attribute, with the
    /// header's length rewritten to end just after MESSAGE-INTEGRITY (so a FINGERPRINT after it
    /// does not count). The comparison takes the same time wherever the MACs differ.
    public func validatesIntegrity(password: String) -> Bool {
        validatesIntegrity(key: SymmetricKey(data: Array(password.utf8)))
    }

    /// ``validatesIntegrity(password:)`` with the key already made, for callers checking many
    /// messages against one password.
    public func validatesIntegrity(key: SymmetricKey) -> Bool {
        guard let offset = messageIntegrityOffset,
            offset >= Self.headerSize,
            let received = raw.getBytes(at: offset + 4, length: 20),
            var header = raw.getBytes(at: 0, length: Self.headerSize)
        else { return false }
        let lengthThroughIntegrity = offset - Self.headerSize + 24
        header[2] = UInt8(truncatingIfNeeded: lengthThroughIntegrity >> 8)
        header[3] = UInt8(truncatingIfNeeded: lengthThroughIntegrity)

        var hmac = HMAC<Insecure.SHA1>(key: key)
        hmac.update(data: header)
        raw.withUnsafeReadableBytes { bytes in
            hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[Self.headerSize..<offset]))
        }
        let computed = hmac.finalize()
        return computed.withUnsafeBytes { Self.constantTimeEqual($0, received) }
    }

    /// Whether FINGERPRINT is present and equals the CRC-32 of the message before it, XOR
    /// 0x5354554E (RFC 8489 section 14.7). It tells STUN from other protocols on the same
    /// port; it proves nothing about who sent it.
    public var hasValidFingerprint: Bool {
        guard let offset = fingerprintOffset,
            let received = raw.getInteger(at: offset + 4, as: UInt32.self)
        else { return false }
        let crc = raw.withUnsafeReadableBytes { bytes in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<offset]))
        }
        return crc ^ Self.fingerprintXOR == received
    }

    /// Compares without branching on the bytes, so timing reveals nothing about the MAC.
    static func constantTimeEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<rhs.count {
            difference |= lhs[i] ^ rhs[i]
        }
        return difference == 0
    }
}
