/// CRC-32 as ISO-HDLC / zlib computes it (reflected polynomial 0xEDB88320, initial value and
/// final XOR 0xFFFFFFFF), table-driven. STUN's FINGERPRINT uses it (RFC 8489 section 14.7).
struct CRC32: Sendable {
    private static let table: [UInt32] = (0..<256).map { index in
        var c = UInt32(index)
        for _ in 0..<8 {
            c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1
        }
        return c
    }

    private var state: UInt32 = 0xFFFF_FFFF

    init() {}

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        Self.table.withUnsafeBufferPointer { table in
            var c = state
            for byte in bytes {
                c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
            }
            state = c
        }
    }

    var value: UInt32 { state ^ 0xFFFF_FFFF }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
