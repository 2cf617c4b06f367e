import Foundation
import RelayCore

/// `GET /classes/{id}/live`: the relay's real state for a class.
enum LiveView {
    static func render(_ schedule: ClassSchedule, registry: StreamRegistry?, expansion: OccurrenceExpansion) -> LiveOutput {
        let snapshot = registry?.stream(StreamKey(app: "live", name: schedule.id))?.snapshot()
        let state: String
        if snapshot?.publisher != nil {
            state = "live"
        } else if expansion.lastEnd(schedule) < Date() {
            state = "ended"
        } else {
            state = "scheduled"
        }
        var publisher: LiveOutput.Publisher?
        var renditions: [LiveOutput.Rendition] = []
        if let snapshot, let info = snapshot.publisher {
            let video = snapshot.video.map { LiveOutput.Video(codec: $0.codec, width: $0.width, height: $0.height, fps: $0.fps) }
            publisher = LiveOutput.Publisher(
                protocol: info.transport.rawValue, since: Validation.formatTime(info.since), inputKbps: snapshot.inputKbps, video: video
            )
            renditions.append(.init(
                name: "source", width: snapshot.video?.width ?? 0, height: snapshot.video?.height ?? 0, videoKbps: snapshot.inputKbps
            ))
        }
        let viewers = (snapshot?.viewers ?? []).map {
            LiveOutput.Viewer(
                siteId: $0.schoolId, protocol: $0.transport.rawValue, rendition: $0.rendition, sendKbps: $0.sendKbps,
                since: Validation.formatTime($0.since),
                rttMs: $0.link.map { ($0.rttMs * 10).rounded() / 10 },
                lossPercent: $0.link.map { ($0.lossPercent * 100).rounded() / 100 },
                sendMbps: $0.link.map { ($0.sendMbps * 1000).rounded() / 1000 }
            )
        }
        return LiveOutput(classId: schedule.id, state: state, publisher: publisher, renditions: renditions, viewers: viewers)
    }
}
