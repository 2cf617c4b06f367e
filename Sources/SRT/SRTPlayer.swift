import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayCore

/// One SRT player: gets its stream's shared MPEG-TS chunks, starting at a keyframe.
///
/// Sends never wait: when libsrt's send buffer is full the player skips to the next keyframe,
/// and one that has accepted nothing for the stall timeout is closed, so it never holds up
/// the stream's other players.
final class SRTPlayer: SRTPeer, @unchecked Sendable {
    let socket: SRTSocket
    let stream: StreamKey
    let schoolId: String?
    let rendition: String
    let since = Date()
    private let stallTimeout: TimeInterval
    private let logger: Logger
    private let onClose: @Sendable (SRTPlayer) -> Void

    private struct State {
        var waitingForKeyframe = true
        var stalledSince: Date?
        var bytesSent = 0
        var skippedChunks = 0
        var keyframeSkips = 0
    }
    private let state = NIOLockedValueBox(State())

    init(
        socket: SRTSocket, admitted: SRTAdmission.Admitted, stallTimeout: TimeInterval, logger: Logger,
        onClose: @escaping @Sendable (SRTPlayer) -> Void
    ) {
        self.socket = socket
        self.stream = admitted.streamID.playedStream
        self.schoolId = admitted.grant.schoolId
        self.rendition = admitted.streamID.rendition ?? "source"
        self.stallTimeout = stallTimeout
        self.logger = logger
        self.onClose = onClose
    }

    /// Sends one chunk (on the stream's muxing thread); false when the player must be closed.
    func deliver(_ chunk: [UInt8], startsKeyframe: Bool) -> Bool {
        state.withLockedValue { state in
            if state.waitingForKeyframe {
                guard startsKeyframe else {
                    state.skippedChunks += 1
                    return true
                }
                state.waitingForKeyframe = false
            }
            switch chunk.withUnsafeBytes({ socket.send($0) }) {
            case .sent:
                state.stalledSince = nil
                state.bytesSent += chunk.count
                return true
            case .wouldBlock:
                state.waitingForKeyframe = true
                state.keyframeSkips += 1
                let now = Date()
                let since = state.stalledSince ?? now
                state.stalledSince = since
                return now.timeIntervalSince(since) < stallTimeout
            case .failed:
                return false
            }
        }
    }

    /// Players send nothing the relay needs; drain whatever arrives.
    func readable() {
        var buffer = [UInt8](repeating: 0, count: 1500)
        for _ in 0..<64 {
            switch buffer.withUnsafeMutableBytes({ socket.receive(into: $0) }) {
            case .bytes: continue
            case .wouldBlock: return
            case .failed(let error):
                close(reason: "connection lost: \(error.message)")
                return
            }
        }
    }

    var viewerSnapshot: ViewerSnapshot {
        let bytes = state.withLockedValue { $0.bytesSent }
        let seconds = max(Date().timeIntervalSince(since), 0.001)
        let link = socket.statistics().map { LinkStats(rttMs: $0.rttMs, lossPercent: $0.sendLossPercent, sendMbps: $0.sendMbps) }
        return ViewerSnapshot(
            schoolId: schoolId, transport: .srt, rendition: rendition, since: since, bytesSent: bytes,
            sendKbps: Int(Double(bytes) * 8 / 1000 / seconds), gopDrops: state.withLockedValue { $0.keyframeSkips }, link: link
        )
    }

    func close(reason: String) {
        let statistics = socket.statistics()
        guard socket.close(beforeClosing: { onClose(self) }) else { return }
        let (bytes, skips) = state.withLockedValue { ($0.bytesSent, $0.keyframeSkips) }
        logger.info("srt player closed", metadata: [
            "stream": "\(stream)", "remote": "\(socket.remote)", "reason": "\(reason)", "bytesSent": "\(bytes)",
            "skippedToKeyframe": "\(skips)", "srt": "\(statistics.map { "\($0)" } ?? "-")",
        ])
    }
}
