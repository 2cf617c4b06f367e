import Foundation
import RelayCore

/// `GET /classes/{id}/live`: the relay's real state for a class.
enum LiveView {
    /// `live` while published, `ended` after the last occurrence, `scheduled` before.
    static func state(of schedule: ClassSchedule, published: Bool, expansion: OccurrenceExpansion) -> String {
        if published { return "live" }
        return expansion.lastEnd(schedule) < Date() ? "ended" : "scheduled"
    }

    static func render(
        _ schedule: ClassSchedule, registry: StreamRegistry?, renditions directory: RenditionDirectory?,
        expansion: OccurrenceExpansion
    ) -> LiveOutput {
        let source = StreamKey(app: "live", name: schedule.id)
        let snapshot = registry?.stream(source)?.snapshot()
        let rungs = snapshot?.publisher == nil ? [] : directory?.renditions(for: source) ?? []
        let state = self.state(of: schedule, published: snapshot?.publisher != nil, expansion: expansion)
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
            for rung in rungs {
                renditions.append(.init(name: rung.name, width: rung.width, height: rung.height, videoKbps: rung.videoKbps))
            }
        }
        // Players of the source and of every rung (an adaptive player is listed on its current rung).
        let rungViewers = (directory?.renditions(for: source) ?? []).flatMap {
            registry?.stream(Rendition.streamKey(source: source, rendition: $0.name))?.snapshot().viewers ?? []
        }
        let viewers = ((snapshot?.viewers ?? []) + rungViewers).map {
            LiveOutput.Viewer(
                siteId: $0.schoolId, protocol: $0.transport.rawValue, rendition: $0.rendition, sendKbps: $0.sendKbps,
                since: Validation.formatTime($0.since),
                rttMs: $0.link.map { ($0.rttMs * 10).rounded() / 10 },
                lossPercent: $0.link.map { ($0.lossPercent * 100).rounded() / 100 },
                sendMbps: $0.link.map { ($0.sendMbps * 1000).rounded() / 1000 },
                sendBufferMs: $0.link?.sendBufferMs
            )
        }
        return LiveOutput(classId: schedule.id, state: state, publisher: publisher, renditions: renditions, viewers: viewers)
    }
}
