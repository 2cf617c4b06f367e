import CSRTP

/// libsrtp's one-time initialization (`srtp_init`), run at first use.
enum SRTPLibrary {
    /// The status `srtp_init` returned. A `static let` is initialized exactly once, thread-safely.
    private static let initializationStatus: srtp_err_status_t = srtp_init()

    /// Runs `srtp_init` on first call; throws if it failed.
    static func ensureInitialized() throws(SRTPError) {
        let status = initializationStatus
        guard status == srtp_err_status_ok else { throw SRTPError(operation: .initialize, status: status) }
    }
}
