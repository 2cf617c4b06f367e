import CSRTP

/// A libsrtp failure: which operation and libsrtp's `srtp_err_status_t` code, with its name.
struct SRTPError: Error, Hashable, CustomStringConvertible {
    /// The libsrtp call (or our check before it) that failed.
    enum Operation: String, Sendable, Hashable {
        case initialize = "srtp_init"
        case createSession = "srtp_create"
        case protectRTP = "srtp_protect"
        case unprotectRTP = "srtp_unprotect"
        case protectRTCP = "srtp_protect_rtcp"
        case unprotectRTCP = "srtp_unprotect_rtcp"
    }

    let operation: Operation
    /// The `srtp_err_status_t` value (e.g. 7, auth_fail; 9, replay_fail).
    let code: UInt32

    init(operation: Operation, code: UInt32) {
        self.operation = operation
        self.code = code
    }

    init(operation: Operation, status: srtp_err_status_t) {
        self.init(operation: operation, code: status.rawValue)
    }

    /// Our own argument checks (packet too short, no room for the trailer) use libsrtp's bad_param.
    static func badParameter(_ operation: Operation) -> SRTPError {
        SRTPError(operation: operation, status: srtp_err_status_bad_param)
    }

    /// OpenSSL's cipher failed in our own RTP protection (`SRTPPacketSealer`): libsrtp's cipher_fail.
    static func cipherFailure(_ operation: Operation) -> SRTPError {
        SRTPError(operation: operation, status: srtp_err_status_cipher_fail)
    }

    /// The packet's authentication tag did not verify (tampered, or the wrong keys).
    var isAuthenticationFailure: Bool { code == srtp_err_status_auth_fail.rawValue }

    /// The packet was a replay, or too old for the replay window.
    var isReplay: Bool {
        code == srtp_err_status_replay_fail.rawValue || code == srtp_err_status_replay_old.rawValue
    }

    /// libsrtp's name for the code, without the "srtp_err_status_" prefix ("auth_fail").
    var name: String {
        let names = [
            "ok", "fail", "bad_param", "alloc_fail", "dealloc_fail", "init_fail", "terminus",
            "auth_fail", "cipher_fail", "replay_fail", "replay_old", "algo_fail", "no_such_op",
            "no_ctx", "cant_check", "key_expired", "socket_err", "signal_err", "nonce_bad",
            "read_fail", "write_fail", "parse_err", "encode_err", "semaphore_err", "pfkey_err",
            "bad_mki", "pkt_idx_old", "pkt_idx_adv",
        ]
        return code < names.count ? names[Int(code)] : "unknown"
    }

    var description: String { "SRTP: \(operation.rawValue) failed: \(name) (\(code))" }
}
