internal import CSRT
import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayCore

/// Decides, in libsrt's listen callback, whether a caller may connect: its streamid is parsed
/// and the relay's ``AccessPolicy`` asked (transport `.srt`). A refusal goes back in the
/// handshake as an SRT reject reason (1400 bad streamid, 1403 forbidden, 1404 no such class,
/// 1503 no decision in time), so the caller sees why, and is logged without the key.
///
/// Why decide in the callback: reject reasons can only be sent during the handshake, and the
/// contract wants a refusal in the protocol's own terms. The callback is synchronous and runs on
/// libsrt's receive thread, which every SRT link on the port shares, so it must not wait: the
/// policy answers from memory (``AccessPolicy/decideNow(_:)``, the timetable snapshot). Only a
/// policy that cannot is waited for, on a semaphore bounded by
/// ``SRTConfiguration/authorizationTimeoutSeconds``.
final class SRTAdmission: Sendable {
    struct Admitted: Sendable {
        let streamID: SRTStreamID
        let grant: AccessGrant
        var at = Date()
    }

    private let policy: any AccessPolicy
    private let timeout: Double
    private let logger: Logger
    private let renditions: RenditionDirectory?
    private let admitted = NIOLockedValueBox<[SRTSOCKET: Admitted]>([:])
    private let accepting = NIOLockedValueBox(true)

    init(policy: any AccessPolicy, timeout: Double, logger: Logger, renditions: RenditionDirectory? = nil) {
        self.policy = policy
        self.renditions = renditions
        self.timeout = timeout
        self.logger = logger
    }

    /// The pointer libsrt hands back to ``callback``; valid while this object lives.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let callback:
        @convention(c) (
            UnsafeMutableRawPointer?, SRTSOCKET, Int32, UnsafePointer<sockaddr>?, UnsafePointer<CChar>?
        ) -> Int32 = { opaque, socket, _, peer, streamid in
            guard let opaque else { return -1 }
            let admission = Unmanaged<SRTAdmission>.fromOpaque(opaque).takeUnretainedValue()
            let code = admission.decide(socket: socket, streamid: streamid.map { String(cString: $0) }, remote: SocketAddressText.describe(peer))
            guard let code else { return 0 }
            srt_setrejectreason(socket, code)
            return -1
        }

    /// What was decided for an accepted socket (taken once, by the accept loop).
    func take(_ socket: SRTSOCKET) -> Admitted? {
        admitted.withLockedValue { $0.removeValue(forKey: socket) }
    }

    /// From now on every caller is refused (1503): the relay is shutting down.
    func stopAccepting() {
        accepting.withLockedValue { $0 = false }
    }

    /// nil to accept, else the reject reason.
    func decide(socket: SRTSOCKET, streamid: String?, remote: String) -> Int32? {
        guard accepting.withLockedValue({ $0 }) else {
            logger.notice("srt refused", metadata: ["remote": "\(remote)", "code": "1503", "reason": "the relay is shutting down"])
            return SRTRejectCode.unavailable
        }
        let streamID: SRTStreamID
        do {
            streamID = try SRTStreamID.parse(streamid ?? "").splittingRendition(ladder: renditions?.ladderNames ?? [])
        } catch {
            logger.notice("srt refused", metadata: ["remote": "\(remote)", "code": "1400", "reason": "\(error)"])
            return SRTRejectCode.badRequest
        }
        if streamID.mode == .publish, let rung = streamID.rendition {
            logger.notice(
                "srt refused",
                metadata: [
                    "remote": "\(remote)", "code": "1400", "reason": "cannot publish to the \(rung) rendition of \(streamID.stream)",
                ])
            return SRTRejectCode.badRequest
        }
        let request = AccessRequest(
            action: streamID.mode == .publish ? .publish : .play, transport: .srt, stream: streamID.stream,
            key: streamID.key, remoteAddress: remote
        )
        guard let answer = policy.decideNow(request) ?? waitForDecision(request) else {
            logger.warning("srt refused", metadata: ["request": "\(request)", "code": "1503", "reason": "no access decision within \(timeout) s"])
            return SRTRejectCode.unavailable
        }
        switch answer {
        case .allow(let grant):
            admitted.withLockedValue { map in
                // A handshake that failed after the callback (e.g. bad passphrase) is never accepted.
                let stale = Date().addingTimeInterval(-30)
                map = map.filter { $0.value.at > stale }
                map[socket] = Admitted(streamID: streamID, grant: grant)
            }
            return nil
        case .deny(let denial, let reason):
            let code = denial.srtRejectCode
            logger.notice("srt refused", metadata: ["request": "\(request)", "code": "\(code)", "reason": "\(reason)"])
            return code
        }
    }
}

extension SRTAdmission {
    /// For a policy that cannot decide from memory: its async answer, waited for on this
    /// (libsrt's) thread up to the timeout. The timetable policy never needs it once its
    /// snapshot is loaded (relayd loads it before listening).
    private func waitForDecision(_ request: AccessRequest) -> AccessDecision? {
        let decision = NIOLockedValueBox<AccessDecision?>(nil)
        let done = DispatchSemaphore(value: 0)
        let policy = self.policy
        Task {
            let answer = await policy.authorize(request)
            decision.withLockedValue { $0 = answer }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return decision.withLockedValue { $0 }
    }
}

/// SRT access-control reject reasons (libsrt's access_control.h, 1000 + HTTP status).
public enum SRTRejectCode {
    public static let badRequest: Int32 = 1400
    public static let forbidden: Int32 = 1403
    public static let notFound: Int32 = 1404
    public static let unavailable: Int32 = 1503
}
