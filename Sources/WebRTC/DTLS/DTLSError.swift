import COpenSSL

/// Everything that can go wrong in DTLS: OpenSSL failures (with the text of OpenSSL's error
/// queue) and the few checks we make ourselves.
public enum DTLSError: Error, Hashable, CustomStringConvertible {
    /// An OpenSSL call failed. `reason` joins the `ERR_get_error` queue's texts (for a fatal
    /// alert from the peer it reads like "...:ssl/tls alert handshake failure:...SSL alert number 40").
    case openSSL(operation: String, reason: String)
    /// Keys or application data were asked for before the handshake completed.
    case handshakeNotCompleted
    /// The handshake completed without a use_srtp extension agreement.
    case noSRTPProfileNegotiated
    /// OpenSSL selected an SRTP profile we did not offer (cannot happen with our profile list).
    case unsupportedSRTPProfile(id: UInt)
    /// Application data larger than one DTLS record may carry within the link MTU.
    case applicationDataTooLarge(size: Int, maximum: Int)

    public var description: String {
        switch self {
        case .openSSL(let operation, let reason):
            "DTLS: \(operation) failed: \(reason)"
        case .handshakeNotCompleted:
            "DTLS: handshake not completed"
        case .noSRTPProfileNegotiated:
            "DTLS: the peer agreed on no SRTP protection profile"
        case .unsupportedSRTPProfile(let id):
            "DTLS: unsupported SRTP protection profile 0x\(String(id, radix: 16))"
        case .applicationDataTooLarge(let size, let maximum):
            "DTLS: \(size) bytes of application data exceed the \(maximum)-byte limit"
        }
    }

    /// Drains this thread's OpenSSL error queue into an `.openSSL` error for `operation`.
    static func fromErrorQueue(_ operation: String) -> DTLSError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            reasons.append(errorText(code))
        }
        return .openSSL(operation: operation, reason: reasons.isEmpty ? "no OpenSSL error detail" : reasons.joined(separator: "; "))
    }

    private static func errorText(_ code: UInt) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            guard let base = buffer.baseAddress else { return "OpenSSL error \(code)" }
            ERR_error_string_n(code, base, buffer.count)
            return String(validatingCString: base) ?? "OpenSSL error \(code)"
        }
    }
}
