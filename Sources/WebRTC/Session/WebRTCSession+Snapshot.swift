import Foundation
import RelayCore

extension WebRTCSession {
    /// The viewer as the live view lists it at `wallClock`: `protocol: webrtc`, its rung, its link
    /// as RTCP tells it.
    func viewerSnapshot(at wallClock: Date) -> ViewerSnapshot {
        let seconds = max(wallClock.timeIntervalSince(since), 0.001)
        let link = stats.rttMs.map {
            LinkStats(rttMs: $0, lossPercent: stats.fractionLost * 100, sendMbps: Double(stats.bytesSent) * 8 / 1e6 / seconds)
        }
        return ViewerSnapshot(
            schoolId: grant.schoolId, transport: .webrtc, rendition: playback.playing, since: since, bytesSent: stats.bytesSent,
            sendKbps: Int(Double(stats.bytesSent) * 8 / 1000 / seconds), gopDrops: 0, link: link
        )
    }
}

extension WebRTCSession {
    /// The relay's side of this session's answer: ICE credentials, the certificate's fingerprint,
    /// the host candidates and one sender per track (one CNAME and stream, so the viewer syncs them).
    func localDescription(fingerprint: DTLSFingerprint, candidates: [ICECandidate]) -> LocalDescription {
        LocalDescription(
            iceUfrag: local.ufrag, icePwd: local.password, iceOptions: [], fingerprint: SDPFingerprint.sha256(digest: fingerprint.bytes),
            candidates: candidates,
            audio: audio.map { LocalSender(ssrc: $0.ssrc, cname: cname, streamID: "classroom", trackID: "audio") },
            video: video.map { LocalSender(ssrc: $0.ssrc, cname: cname, streamID: "classroom", trackID: "video") }
        )
    }
}
