import COpenSSL

/// A certificate fingerprint as SDP carries it in `a=fingerprint` (RFC 8122 5): a hash function
/// name and the digest as uppercase hex pairs joined by colons ("AB:CD:...").
struct DTLSFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The hash functions of RFC 8122's registry we can compute (browsers use sha-256).
    enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case sha1 = "sha-1"
        case sha224 = "sha-224"
        case sha256 = "sha-256"
        case sha384 = "sha-384"
        case sha512 = "sha-512"

        /// Parses an SDP hash function name, ignoring case ("SHA-256" is seen in the wild).
        init?(sdpName: String) {
            self.init(rawValue: sdpName.lowercased())
        }

        /// The digest length in bytes.
        var digestLength: Int {
            switch self {
            case .sha1: 20
            case .sha224: 28
            case .sha256: 32
            case .sha384: 48
            case .sha512: 64
            }
        }

        /// OpenSSL's static `EVP_MD` (not owned; never freed).
        var messageDigest: OpaquePointer? {
            switch self {
            case .sha1: EVP_sha1()
            case .sha224: EVP_sha224()
            case .sha256: EVP_sha256()
            case .sha384: EVP_sha384()
            case .sha512: EVP_sha512()
            }
        }
    }

    let algorithm: Algorithm
    let bytes: [UInt8]

    init(algorithm: Algorithm, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// Parses the hex form ("AB:CD:...", either case); nil unless it has exactly the algorithm's
    /// digest length in two-digit groups.
    init?(algorithm: Algorithm, sdpValue: Substring) {
        let groups = sdpValue.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count == algorithm.digestLength else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(groups.count)
        for group in groups {
            guard group.utf8.count == 2, let byte = UInt8(group, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(algorithm: algorithm, bytes: bytes)
    }

    /// Parses an `a=fingerprint` attribute value: "sha-256 AB:CD:...".
    init?(sdpAttributeValue: Substring) {
        let parts = sdpAttributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let algorithm = Algorithm(sdpName: String(parts[0])) else { return nil }
        self.init(algorithm: algorithm, sdpValue: parts[1])
    }

    /// "AB:CD:..." (uppercase hex, colon separated).
    var sdpValue: String {
        Self.hexPairs(bytes)
    }

    /// The whole `a=fingerprint` value: "sha-256 AB:CD:...".
    var sdpAttributeValue: String { "\(algorithm.rawValue) \(sdpValue)" }

    var description: String { sdpAttributeValue }

    /// Formats bytes as uppercase hex pairs joined by colons.
    static func hexPairs(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
