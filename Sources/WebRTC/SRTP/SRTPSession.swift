import CSRTP
import NIOCore

/// SRTP and SRTCP protection for one WebRTC session, keyed by a DTLS-SRTP handshake.
///
/// Outbound RTP, the per-viewer hot path, goes through `SRTPPacketSealer` (one OpenSSL cipher
/// context, no allocation per packet). Everything else is libsrtp2's: two sessions, outbound
/// (our role's key and salt, any outbound SSRC: SRTCP) and inbound (the peer's, any inbound SSRC),
/// so new SSRCs need no setup. Resent sequence numbers (NACK answers) protect as they were. Not
/// thread-safe: use it from the session's event loop.
final class SRTPSession {
    /// The most bytes protecting appends: libsrtp's trailer (tag and MKI) plus the 4-byte SRTCP
    /// index. Buffers given to `protect*(in:length:)` need this much room past the packet.
    static let maximumProtectionOverhead = Int(csrtp_max_trailer_length()) + 4
    /// The replay window used unless told otherwise (libsrtp accepts 64 to 32767).
    static let defaultReplayWindowSize = 1024

    let profile: SRTPProfile
    let role: DTLSRole
    private let sealer: SRTPPacketSealer
    private let outbound: OwnedSRTPContext
    private let inbound: OwnedSRTPContext

    /// Keys both directions from `keyingMaterial`: as `role` we send with our role's key and salt
    /// and receive with the peer's.
    init(keyingMaterial: SRTPKeyingMaterial, role: DTLSRole, replayWindowSize: Int = SRTPSession.defaultReplayWindowSize) throws(SRTPError) {
        try SRTPLibrary.ensureInitialized()
        self.profile = keyingMaterial.profile
        self.role = role
        let sent = keyingMaterial.masterKeyAndSalt(sentBy: role)
        self.sealer = try SRTPPacketSealer(profile: keyingMaterial.profile, masterKey: sent.key, masterSalt: sent.salt)
        self.outbound = try Self.makeContext(
            profile: keyingMaterial.profile,
            keyAndSalt: keyingMaterial.keyAndSalt(sentBy: role),
            direction: ssrc_any_outbound,
            replayWindowSize: replayWindowSize
        )
        self.inbound = try Self.makeContext(
            profile: keyingMaterial.profile,
            keyAndSalt: keyingMaterial.keyAndSalt(sentBy: role.peer),
            direction: ssrc_any_inbound,
            replayWindowSize: replayWindowSize
        )
    }

    private static func makeContext(
        profile: SRTPProfile,
        keyAndSalt: [UInt8],
        direction: srtp_ssrc_type_t,
        replayWindowSize: Int
    ) throws(SRTPError) -> OwnedSRTPContext {
        guard replayWindowSize >= 64, replayWindowSize < 0x8000 else { throw .badParameter(.createSession) }
        var policy = srtp_policy_t()
        switch profile {
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aes128CMHMACSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        }
        policy.ssrc = srtp_ssrc_t(type: direction, value: 0)
        policy.window_size = UInt(replayWindowSize)
        policy.allow_repeat_tx = 1
        policy.next = nil
        return try OwnedSRTPContext(policy: &policy, keyAndSalt: keyAndSalt)
    }

    // MARK: In place in a caller's buffer (no allocation)

    /// Protects the RTP packet in `buffer[0..<length]` in place; returns the SRTP length.
    /// `buffer.count` must be at least `length + maximumProtectionOverhead`.
    func protectRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard length <= buffer.count - Self.maximumProtectionOverhead else { throw .badParameter(.protectRTP) }
        return try sealer.seal(in: buffer, length: length)
    }

    /// libsrtp2's protection of the same packet: the reference `SRTPPacketSealer` is tested against.
    func protectRTPWithLibSRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try Self.run(.protectRTP, outbound.pointer, buffer, length, room: Self.maximumProtectionOverhead, minimumLength: 12, srtp_protect)
    }

    /// Verifies and decrypts the SRTP packet in `buffer[0..<length]` in place; returns the RTP length.
    func unprotectRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try Self.run(.unprotectRTP, inbound.pointer, buffer, length, room: 0, minimumLength: 12, srtp_unprotect)
    }

    /// Protects the RTCP (compound) packet in `buffer[0..<length]` in place; returns the SRTCP length.
    func protectRTCP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try Self.run(.protectRTCP, outbound.pointer, buffer, length, room: Self.maximumProtectionOverhead, minimumLength: 8, srtp_protect_rtcp)
    }

    /// Verifies and decrypts the SRTCP packet in `buffer[0..<length]` in place; returns the RTCP length.
    func unprotectRTCP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try Self.run(.unprotectRTCP, inbound.pointer, buffer, length, room: 0, minimumLength: 8, srtp_unprotect_rtcp)
    }

    private typealias LibSRTPCall = (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t

    private static func run(
        _ operation: SRTPError.Operation,
        _ context: OpaquePointer,
        _ buffer: UnsafeMutableRawBufferPointer,
        _ length: Int,
        room: Int,
        minimumLength: Int,
        _ call: LibSRTPCall
    ) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress, length >= minimumLength, length <= buffer.count - room,
            var octets = Int32(exactly: length)
        else { throw .badParameter(operation) }
        let status = call(context, base, &octets)
        guard status == srtp_err_status_ok else { throw SRTPError(operation: operation, status: status) }
        guard octets >= 0, Int(octets) <= buffer.count else { throw .badParameter(operation) }
        return Int(octets)
    }
}

@available(*, unavailable)
extension SRTPSession: Sendable {}
