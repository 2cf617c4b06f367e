import NIOCore

/// Reads and writes the value of MAPPED-ADDRESS and XOR-MAPPED-ADDRESS (RFC 8489 sections 14.1
/// and 14.2): a reserved byte, the family (0x01 IPv4, 0x02 IPv6), the port and the address.
/// The XOR form masks the port with the cookie's top 16 bits and the address with the cookie
/// (IPv4) or the cookie followed by the transaction ID (IPv6), so NATs that rewrite addresses
/// they find in payloads leave it alone.
enum STUNAddressCodec {
    static let familyIPv4: UInt8 = 0x01
    static let familyIPv6: UInt8 = 0x02

    /// Decodes an address value; `xorWith` is the message's transaction ID for the XOR form,
    /// nil for the plain form.
    static func decode(
        _ value: ByteBuffer, type: STUNAttributeType, xorWith transactionID: STUNTransactionID?
    ) throws(STUNError) -> SocketAddress {
        let start = value.readerIndex
        guard value.readableBytes >= 4,
            let family = value.getInteger(at: start + 1, as: UInt8.self),
            let rawPort = value.getInteger(at: start + 2, as: UInt16.self)
        else {
            throw .invalidAttributeLength(type: type.rawValue, length: value.readableBytes)
        }
        let addressLength: Int
        switch family {
        case familyIPv4: addressLength = 4
        case familyIPv6: addressLength = 16
        default: throw .invalidAddressFamily(family)
        }
        guard value.readableBytes == 4 + addressLength,
            var address = value.getBytes(at: start + 4, length: addressLength)
        else {
            throw .invalidAttributeLength(type: type.rawValue, length: value.readableBytes)
        }
        var port = rawPort
        if let transactionID {
            port ^= UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16)
            let mask = xorMask(transactionID)
            for i in address.indices { address[i] ^= mask[i] }
        }
        var packed = ByteBuffer()
        packed.writeBytes(address)
        guard let socketAddress = try? SocketAddress(packedIPAddress: packed, port: Int(port)) else {
            throw .invalidAttributeLength(type: type.rawValue, length: value.readableBytes)
        }
        return socketAddress
    }

    /// The value bytes for `address`, XOR-masked when `xorWith` is given; nil for addresses
    /// that are not IP (Unix domain sockets), which STUN cannot express.
    static func encode(_ address: SocketAddress, xorWith transactionID: STUNTransactionID?) -> [UInt8]? {
        let family: UInt8
        var bytes: [UInt8]
        switch address {
        case .v4(let v4):
            family = familyIPv4
            bytes = withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            family = familyIPv6
            bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
        var port = UInt16(truncatingIfNeeded: address.port ?? 0)
        if let transactionID {
            port ^= UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16)
            let mask = xorMask(transactionID)
            for i in bytes.indices { bytes[i] ^= mask[i] }
        }
        return [0, family, UInt8(truncatingIfNeeded: port >> 8), UInt8(truncatingIfNeeded: port)] + bytes
    }

    /// The magic cookie followed by the transaction ID: 16 bytes, of which IPv4 uses the first 4.
    private static func xorMask(_ transactionID: STUNTransactionID) -> [UInt8] {
        let cookie = STUNMessage.magicCookie
        return [
            UInt8(truncatingIfNeeded: cookie >> 24), UInt8(truncatingIfNeeded: cookie >> 16),
            UInt8(truncatingIfNeeded: cookie >> 8), UInt8(truncatingIfNeeded: cookie),
        ] + transactionID.bytes
    }
}
