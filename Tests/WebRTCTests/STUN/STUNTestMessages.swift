/// Hand-assembled STUN bytes for tests, including ones no correct writer would produce.
enum STUNTestMessages {
    static let cookie: [UInt8] = [0x21, 0x12, 0xA4, 0x42]
    static let transactionID: [UInt8] = Array(1...12)

    /// One attribute: type, declared length (the value's own unless given), value, zero padding.
    static func attribute(_ type: UInt16, _ value: [UInt8], declaredLength: Int? = nil) -> [UInt8] {
        let length = declaredLength ?? value.count
        let padding = (4 - value.count % 4) % 4
        return [UInt8(type >> 8), UInt8(type & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + value + Array(repeating: 0, count: padding)
    }

    /// A header (length matching `body` unless given) followed by `body`.
    static func message(type: UInt16 = 0x0001, body: [UInt8] = [], declaredLength: Int? = nil) -> [UInt8] {
        let length = declaredLength ?? body.count
        return [UInt8(type >> 8), UInt8(type & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + cookie + transactionID + body
    }

    static func message(type: UInt16 = 0x0001, attributes: [[UInt8]]) -> [UInt8] {
        message(type: type, body: attributes.flatMap { $0 })
    }
}
