/// Why an SDP offer could not be read or answered. `description` is a message for a person (the
/// WHEP/WHIP endpoint returns it in its 400 response) saying what is wrong or missing; it quotes
/// the offer only through `SDPText.excerpt`, so it is short and free of control characters.
public enum SDPError: Error, Hashable, Sendable, CustomStringConvertible {
    // The body.
    case empty
    case tooLarge(bytes: Int)
    case tooManyLines
    case tooManyMediaSections
    case notUTF8
    case missingVersion(firstLine: String)
    case malformedLine(line: Int, reason: String)
    case malformedAttribute(line: Int, name: String, reason: String)
    case duplicateMid(String)

    // Negotiation.
    case noMedia
    case missingBundle(mediaCount: Int)
    case bundleNamesUnknownMid(String)
    case missingICEUfrag
    case missingICEPwd
    case invalidICEUfrag
    case invalidICEPwd
    case missingFingerprint
    case unsupportedFingerprint(algorithms: [String])
    case unsupportedSetup(DTLSSetupRole)
    case missingRTCPMux(medium: String)
    case wrongDirection(medium: String, offered: MediaDirection, endpoint: String, expected: String)
    case noH264PacketizationMode1
    case noUsableMedia(endpoint: String, reasons: [String])

    public var description: String {
        switch self {
        case .empty:
            return "the SDP body is empty"
        case .tooLarge(let bytes):
            return "the SDP body is \(bytes) bytes, more than the \(SDPLimits.maxBytes) allowed"
        case .tooManyLines:
            return "the SDP has more than \(SDPLimits.maxLines) lines"
        case .tooManyMediaSections:
            return "the SDP has more than \(SDPLimits.maxMediaSections) m-lines"
        case .notUTF8:
            return "the SDP body is not UTF-8 text"
        case .missingVersion(let first):
            return "the SDP does not start with v=0 (its first line is \(first))"
        case .malformedLine(let line, let reason):
            return "SDP line \(line) \(reason)"
        case .malformedAttribute(let line, let name, let reason):
            return "SDP line \(line): a=\(name) \(reason)"
        case .duplicateMid(let mid):
            return "two m-lines have the same a=mid:\(mid)"
        case .noMedia:
            return "the offer has no m-lines (no audio or video)"
        case .missingBundle(let count):
            return "the offer has \(count) m-lines but no a=group:BUNDLE; the relay needs them bundled on one transport"
        case .bundleNamesUnknownMid(let mid):
            return "a=group:BUNDLE names mid \(mid), which no m-line has"
        case .missingICEUfrag:
            return "the offer has no a=ice-ufrag"
        case .missingICEPwd:
            return "the offer has no a=ice-pwd"
        case .invalidICEUfrag:
            return "the offer's a=ice-ufrag is not 4 to 256 characters of A-Z a-z 0-9 + /"
        case .invalidICEPwd:
            return "the offer's a=ice-pwd is not 22 to 256 characters of A-Z a-z 0-9 + /"
        case .missingFingerprint:
            return "the offer has no a=fingerprint (the hash of its DTLS certificate)"
        case .unsupportedFingerprint(let algorithms):
            return "the offer's a=fingerprint uses \(algorithms.joined(separator: ", ")); "
                + "the relay checks \(FingerprintAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))"
        case .unsupportedSetup(.holdconn):
            return "the offer's a=setup:holdconn opens no DTLS connection; offer a=setup:actpass"
        case .unsupportedSetup(let role):
            return "the offer's a=setup:\(role) would make the relay the DTLS client; it only answers a=setup:passive "
                + "(offer a=setup:actpass)"
        case .missingRTCPMux(let medium):
            return "the offer's \(medium) has no a=rtcp-mux; the relay needs RTP and RTCP on one port"
        case .wrongDirection(let medium, let offered, let endpoint, let expected):
            return "the offer's \(medium) is \(offered), but a \(endpoint) offer must be \(expected)"
        case .noH264PacketizationMode1:
            return "the offer's video has no H.264 with packetization-mode=1"
        case .noUsableMedia(let endpoint, let reasons):
            let why = reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")"
            return "the offer has no video and no audio m-line the relay can use for \(endpoint)\(why)"
        }
    }
}
