import Crypto
import Foundation

/// Random secrets, their digests at rest, and constant-time comparison.
public enum Secrets {
    /// A school key's SHA-256 (swift-crypto) as lowercase hex, as the store keeps it. Keys are
    /// 160-bit random secrets, so a plain digest is enough: there is nothing to brute-force.
    public static func keyHash(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// A new school key: 160 random bits, URL-safe (lowercase hex).
    public static func newKey() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<20).map { _ in
            let b = UInt8.random(in: 0...255, using: &rng)
            return String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16)
        }.joined()
    }

    /// A new opaque token of `byteCount` random bytes, base64url without padding (HLS client
    /// tokens, patrol session ids).
    public static func newToken(byteCount: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Compares in time that depends only on the lengths, never on where the strings differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        let n = max(x.count, y.count)
        for i in 0..<n {
            let l = i < x.count ? x[i] : 0
            let r = i < y.count ? y[i] : 0
            diff |= l ^ r
        }
        return diff == 0
    }
}
