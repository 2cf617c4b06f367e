/// An ICE username fragment and password (RFC 8445 section 5.3, RFC 8839 section 5.4): the
/// `a=ice-ufrag` / `a=ice-pwd` an agent puts in its SDP. Connectivity checks sent to this
/// agent carry USERNAME "<ufrag>:<peer's ufrag>" and MESSAGE-INTEGRITY keyed with `password`.
public struct ICECredentials: Hashable, Sendable {
    public let ufrag: String
    public let password: String

    /// 8 ICE characters, 48 random bits (RFC 8445 asks for at least 24, RFC 8839 at least 4 characters).
    public static let ufragLength = 8
    /// 24 ICE characters, 144 random bits (RFC 8445 asks for at least 128, RFC 8839 at least 22 characters).
    public static let passwordLength = 24
    /// RFC 8839 allows up to 256 characters for both.
    public static let maxLength = 256

    /// `ice-char`: ALPHA / DIGIT / "+" / "/" — 64 characters, so 6 random bits each.
    static let iceCharacters: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    public init(ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    /// Fresh credentials from the system's cryptographically secure generator.
    public static func random() -> ICECredentials {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> ICECredentials {
        ICECredentials(
            ufrag: randomICEString(length: ufragLength, using: &generator),
            password: randomICEString(length: passwordLength, using: &generator)
        )
    }

    static func randomICEString(length: Int, using generator: inout some RandomNumberGenerator) -> String {
        // 64 characters: the low 6 bits of a random word choose one without bias.
        String(
            (0..<length).map { _ in
                let word: UInt64 = generator.next()
                return iceCharacters[Int(word & 0x3F)]
            })
    }

    /// Whether `text` is 1...256 `ice-char`s.
    public static func isICEString(_ text: some StringProtocol) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                return true
            default:
                return false
            }
        }
    }
}
