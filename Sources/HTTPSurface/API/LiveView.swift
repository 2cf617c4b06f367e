import ControlPlane
import Foundation
import RelayAPIModels
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
    ) -> RelayAPI.LiveView {
        let source = StreamKey(app: "live", name: schedule.id)
        let snapshot = registry?.stream(source)?.snapshot()
        let rungs = snapshot?.publisher == nil ? [] : directory?.renditions(for: source) ?? []
        let state = self.state(of: schedule, published: snapshot?.publisher != nil, expansion: expansion)
        let publisher = snapshot.flatMap(publisherOutput)
        var renditions: [RelayAPI.LiveView.Rendition] = []
        if let snapshot, snapshot.publisher != nil {
            renditions.append(
                .init(
                    name: "source", width: snapshot.video?.width ?? 0, height: snapshot.video?.height ?? 0, videoKbps: snapshot.inputKbps
                ))
            for rung in rungs {
                renditions.append(.init(name: rung.name, width: rung.width, height: rung.height, videoKbps: rung.videoKbps))
            }
        }
        return RelayAPI.LiveView(
            classId: schedule.id, state: state, publisher: publisher, renditions: renditions,
            viewers: viewers(of: source, snapshot: snapshot, registry: registry, directory: directory),
            returnFeeds: returnFeeds(of: schedule, registry: registry, directory: directory)
        )
    }

    /// The sites' return feeds being published now, in the class's site order.
    static func returnFeeds(
        of schedule: ClassSchedule, registry: StreamRegistry?, directory: RenditionDirectory?
    ) -> [RelayAPI.LiveView.ReturnFeed] {
        schedule.siteIds.compactMap { site in
            let key = ReturnFeedName(classId: schedule.id, siteId: site).streamKey
            guard let snapshot = registry?.stream(key)?.snapshot(), let publisher = publisherOutput(snapshot) else { return nil }
            return RelayAPI.LiveView.ReturnFeed(
                siteId: site, protocol: publisher.protocol, since: publisher.since, inputKbps: publisher.inputKbps,
                video: publisher.video, viewers: viewers(of: key, snapshot: snapshot, registry: registry, directory: directory)
            )
        }
    }

    private static func publisherOutput(_ snapshot: StreamSnapshot) -> RelayAPI.LiveView.Publisher? {
        guard let info = snapshot.publisher else { return nil }
        let video = snapshot.video.map { RelayAPI.LiveView.Video(codec: $0.codec, width: $0.width, height: $0.height, fps: $0.fps) }
        return RelayAPI.LiveView.Publisher(
            protocol: info.transport.rawValue, since: Validation.formatTime(info.since), inputKbps: snapshot.inputKbps, video: video
        )
    }

    /// Players of the source and of every rung (an adaptive player is listed on its current rung).
    private static func viewers(
        of source: StreamKey, snapshot: StreamSnapshot?, registry: StreamRegistry?, directory: RenditionDirectory?
    ) -> [RelayAPI.LiveView.Viewer] {
        // The rungs made, then any other rung stream that has players (a rung not made passes
        // the source to players pinned to it before the transcoder decided).
        let made = (directory?.renditions(for: source) ?? []).map(\.name)
        let others = (directory?.ladderNames ?? []).subtracting(made).sorted()
        let rungViewers = (made + others).flatMap {
            registry?.stream(Rendition.streamKey(source: source, rendition: $0))?.snapshot().viewers ?? []
        }
        return ((snapshot?.viewers ?? []) + rungViewers).map {
            RelayAPI.LiveView.Viewer(
                siteId: $0.schoolId, protocol: $0.transport.rawValue, rendition: $0.rendition, sendKbps: $0.sendKbps,
                since: Validation.formatTime($0.since),
                rttMs: $0.link.map { ($0.rttMs * 10).rounded() / 10 },
                lossPercent: $0.link.map { ($0.lossPercent * 100).rounded() / 100 },
                sendMbps: $0.link.map { ($0.sendMbps * 1000).rounded() / 1000 },
                sendBufferMs: $0.link?.sendBufferMs
            )
        }
    }
}
