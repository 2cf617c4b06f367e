import CSRTP

/// Owns one libsrtp session (`srtp_t`) and frees it with `srtp_dealloc` in `deinit`.
struct OwnedSRTPContext: ~Copyable {
    let pointer: OpaquePointer

    /// Creates a session from `policy` keyed with `keyAndSalt` (master key then master salt).
    /// libsrtp copies the key, so neither needs to outlive this call.
    init(policy: inout srtp_policy_t, keyAndSalt: [UInt8]) throws(SRTPError) {
        var key = keyAndSalt
        let (status, session) = key.withUnsafeMutableBufferPointer { buffer -> (srtp_err_status_t, srtp_t?) in
            policy.key = buffer.baseAddress
            defer { policy.key = nil }
            var session: srtp_t?
            let status = srtp_create(&session, &policy)
            return (status, session)
        }
        // Best effort: leave no copy of the key in this array's memory.
        for index in key.indices { key[index] = 0 }
        guard status == srtp_err_status_ok, let session else {
            throw SRTPError(operation: .createSession, status: status == srtp_err_status_ok ? srtp_err_status_fail : status)
        }
        pointer = session
    }

    deinit { _ = srtp_dealloc(pointer) }
}
