import Crypto
import NIOCore

/// Writes a STUN message into a fresh ByteBuffer: the header, then attributes with their
/// padding, keeping the header's length field current after each one, and finally
/// MESSAGE-INTEGRITY and FINGERPRINT computed over what was written before them.
struct STUNMessageWriter {
    private(set) var buffer: ByteBuffer

    init(type: STUNMessageType, transactionID: STUNTransactionID, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        buffer = allocator.buffer(capacity: 128)
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(STUNMessage.magicCookie)
        transactionID.write(to: &buffer)
    }

    /// Appends an attribute with `value` (at most 65535 bytes), zero-padded to 4 bytes.
    mutating func append(_ type: STUNAttributeType, value: some Collection<UInt8>) {
        precondition(value.count <= Int(UInt16.max), "STUN attribute value too long")
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(UInt16(value.count))
        buffer.writeBytes(value)
        let padding = (4 - value.count % 4) % 4
        buffer.writeRepeatingByte(0, count: padding)
        setLength(buffer.writerIndex - STUNMessage.headerSize)
    }

    mutating func append(_ type: STUNAttributeType, uint32 value: UInt32) {
        append(type, value: (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }

    mutating func append(_ type: STUNAttributeType, uint64 value: UInt64) {
        append(type, value: (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }

    /// ERROR-CODE with `code` in 300...699 and a reason cut to 128 characters.
    mutating func appendErrorCode(_ code: Int, reason: String) {
        precondition((300...699).contains(code), "STUN error code \(code) outside 300...699")
        let value = [0, 0, UInt8(code / 100), UInt8(code % 100)] + Array(String(reason.prefix(128)).utf8)
        append(.errorCode, value: value)
    }

    /// MESSAGE-INTEGRITY: HMAC-SHA1 over everything so far, with the length field already
    /// counting the 24 bytes of this attribute.
    mutating func appendMessageIntegrity(key: SymmetricKey) {
        setLength(buffer.writerIndex - STUNMessage.headerSize + 24)
        let mac = buffer.withUnsafeReadableBytes { HMAC<Insecure.SHA1>.authenticationCode(for: $0, using: key) }
        buffer.writeInteger(STUNAttributeType.messageIntegrity.rawValue)
        buffer.writeInteger(UInt16(20))
        mac.withUnsafeBytes { _ = buffer.writeBytes($0) }
    }

    /// FINGERPRINT, which must be the last attribute: CRC-32 over everything so far (length
    /// already counting these 8 bytes) XOR 0x5354554E.
    mutating func appendFingerprint() {
        setLength(buffer.writerIndex - STUNMessage.headerSize + 8)
        let crc = buffer.withUnsafeReadableBytes { CRC32.checksum($0) } ^ STUNMessage.fingerprintXOR
        buffer.writeInteger(STUNAttributeType.fingerprint.rawValue)
        buffer.writeInteger(UInt16(4))
        buffer.writeInteger(crc)
    }

    private mutating func setLength(_ length: Int) {
        buffer.setInteger(UInt16(truncatingIfNeeded: length), at: buffer.readerIndex + 2)
    }
}
