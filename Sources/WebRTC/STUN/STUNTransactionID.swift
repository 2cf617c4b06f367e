import NIOCore

/// The 96-bit transaction identifier that pairs a STUN response with its request.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 and 8–11, big-endian.
    let high: UInt64
    let low: UInt32

    public static let byteCount = 12

    init(high: UInt64, low: UInt32) {
        self.high = high
        self.low = low
    }

    /// The identifier whose wire form is `bytes`, which must be exactly 12 long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var high: UInt64 = 0
        var low: UInt32 = 0
        for (i, byte) in bytes.enumerated() {
            if i < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt32(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// Reads the 12 bytes at `index` of `buffer`, or nil if they are not all there.
    init?(buffer: ByteBuffer, at index: Int) {
        guard let high = buffer.getInteger(at: index, as: UInt64.self),
            let low = buffer.getInteger(at: index + 8, as: UInt32.self)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// A fresh identifier from the system's cryptographically secure generator.
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> STUNTransactionID {
        STUNTransactionID(high: generator.next(), low: UInt32(truncatingIfNeeded: generator.next() as UInt64))
    }

    /// The wire form, 12 bytes.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Self.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: high >> shift)) }
        for shift in stride(from: 24, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: low >> shift)) }
        return result
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(high)
        buffer.writeInteger(low)
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
