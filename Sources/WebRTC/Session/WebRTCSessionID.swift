import Crypto

/// Opaque WHEP session ids (the `Location` path): 128 random bits as hex.
enum WebRTCSessionID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// What logs name a session by: the first 8 hex digits of the id's SHA-256. The id itself is
    /// the capability in the session's `Location` URL (DELETE ends it), so it is never logged.
    static func digest(_ id: String) -> String {
        SHA256.hash(data: Array(id.utf8)).prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
