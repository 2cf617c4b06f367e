import ControlPlane
import Foundation

/// The key one node presents to another to play a stream from it (`?key=` of its RTMP play):
/// who pulls, until when, and an HMAC that binds those to the serving node and the stream
/// (``NodePullSigner``). Its text is `pull.<puller>.<expires>.<mac>`: the puller's node id,
/// the expiry in Unix seconds, the MAC in base64url without padding — only letters, digits,
/// dots, dashes and underscores, so it goes into an RTMP play name as it is. It is a secret
/// for its few minutes: never logged.
public struct NodePullCredential: Sendable, Equatable {
    public static let prefix = "pull."

    /// The node id of the node that pulls.
    public let puller: String
    /// Unix seconds after which it is refused.
    public let expires: Int64
    /// HMAC-SHA256 over the fields (``NodePullSigner``), 32 bytes.
    public let mac: [UInt8]

    public init(puller: String, expires: Int64, mac: [UInt8]) {
        self.puller = puller
        self.expires = expires
        self.mac = mac
    }

    /// Whether `id` can be a puller's id in a credential: 1 to 64 ASCII letters, digits, dots,
    /// dashes or underscores (`cluster.nodeId`, or a host name).
    public static func isValidNodeID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x2D || byte == 0x5F
            }
    }

    /// Whether `key` is meant as a node pull credential (well formed or not): such a key is
    /// decided by the node policy alone, never passed on to school keys.
    public static func looksLikeOne(_ key: String) -> Bool { key.hasPrefix(prefix) }

    /// The `?key=` text.
    public var key: String {
        Self.prefix + puller + "." + String(expires) + "." + Base64URL.encode(mac)
    }

    /// Reads `pull.<puller>.<expires>.<mac>` (the puller's id may itself hold dots); nil for
    /// anything else.
    public init?(key: String) {
        guard Self.looksLikeOne(key), key.utf8.count <= 160 else { return nil }
        let fields = key.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard fields.count >= 3 else { return nil }
        let puller = fields.dropLast(2).joined(separator: ".")
        let expiresText = fields[fields.count - 2]
        guard Self.isValidNodeID(puller), !expiresText.isEmpty, expiresText.count <= 12, expiresText.allSatisfy(\.isASCII),
            let expires = Int64(expiresText), expires > 0,
            let mac = Base64URL.decode(String(fields[fields.count - 1])), mac.count == 32
        else { return nil }
        self.init(puller: puller, expires: expires, mac: mac)
    }
}

/// base64url without padding (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let bytes = [UInt8](data)
        // One text per byte string: refuse encodings with stray bits in the last character.
        return encode(bytes) == text ? bytes : nil
    }
}
