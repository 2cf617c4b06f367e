/// An `a=fingerprint:<hash-func> <hex>` attribute (RFC 8122): the hash of the peer's DTLS
/// certificate, which the DTLS layer compares with the certificate the peer presents.
struct SDPFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The hash function's name, lowercased as in the IANA registry (`sha-256`, `sha-1`, …).
    var algorithm: String
    /// The digest.
    var bytes: [UInt8]

    init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm.lowercased()
        self.bytes = bytes
    }

    /// A SHA-256 fingerprint of a certificate's DER bytes, already hashed by the caller.
    static func sha256(digest: [UInt8]) -> SDPFingerprint {
        SDPFingerprint(algorithm: FingerprintAlgorithm.sha256.rawValue, bytes: digest)
    }

    /// The hash function, when it is one the relay can check.
    var hashAlgorithm: FingerprintAlgorithm? { FingerprintAlgorithm(rawValue: algorithm) }

    /// The digest as colon-separated uppercase hex pairs (`AB:01:…`), as SDP writes it.
    var hex: String {
        let digits: [Character] = Array("0123456789ABCDEF")
        var out = ""
        out.reserveCapacity(bytes.count * 3)
        for (i, byte) in bytes.enumerated() {
            if i > 0 { out.append(":") }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }

    /// The attribute's value: `sha-256 AB:01:…`.
    var attributeValue: String { "\(algorithm) \(hex)" }

    var description: String { attributeValue }

    /// Parses an attribute value `<hash-func> <hex>`, or nil with the reason.
    static func parse(_ value: String) -> Result<SDPFingerprint, FingerprintParseFailure> { parse(value[...]) }

    static func parse(_ value: Substring) -> Result<SDPFingerprint, FingerprintParseFailure> {
        let fields = SDPText.fields(value)
        guard fields.count == 2 else { return .failure(.shape) }
        let algorithm = fields[0].lowercased()
        let pairs = SDPText.split(fields[1], on: UInt8(ascii: ":"))
        guard pairs.count <= 64 else { return .failure(.length(algorithm)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pairs.count)
        for pair in pairs {
            guard pair.utf8.count == 2, let byte = SDPText.hexadecimal(pair, as: UInt8.self) else { return .failure(.hex) }
            bytes.append(byte)
        }
        if let known = KnownDigestLength(rawValue: algorithm), known.byteCount != bytes.count {
            return .failure(.length(algorithm))
        }
        return .success(SDPFingerprint(algorithm: algorithm, bytes: bytes))
    }

    /// Why a fingerprint value did not parse; the parser turns it into an `SDPError`.
    enum FingerprintParseFailure: Error, Sendable {
        case shape
        case hex
        case length(String)

        var reason: String {
            switch self {
            case .shape: return "is not '<hash-function> <hex:hex:…>'"
            case .hex: return "has a digest that is not colon-separated hex pairs"
            case .length(let algorithm): return "has a digest of the wrong length for \(algorithm)"
            }
        }
    }

    /// Digest lengths of the hash functions in the IANA registry, to catch truncated values.
    private enum KnownDigestLength: String {
        case md2, md5 = "md5", sha1 = "sha-1", sha224 = "sha-224", sha256 = "sha-256"
        case sha384 = "sha-384", sha512 = "sha-512"

        var byteCount: Int {
            switch self {
            case .md2, .md5: return 16
            case .sha1: return 20
            case .sha224: return 28
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            }
        }
    }
}

/// The fingerprint hash functions the relay checks, in the order negotiation prefers them.
enum FingerprintAlgorithm: String, Hashable, Sendable, CaseIterable {
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"
    case sha224 = "sha-224"
    case sha1 = "sha-1"
}
