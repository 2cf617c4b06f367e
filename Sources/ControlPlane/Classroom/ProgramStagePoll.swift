package import Logging
package import RelayCore
import ServiceLifecycle

/// Copies the stage of every class whose teacher is live here from the store to the
/// ``ProgramStageBoard`` once a second: a stage set before a restart or through another node,
/// or emptied by the end of the class's window, reaches the transcoder too (a `PUT …/stage` on
/// this node reaches it at once, through ``ClassroomService/stageObserver``). An on-stage site
/// whose return feed has had no publisher for the publisher grace period leaves the stage, as a
/// `PUT …/stage` without it would take it off (``DroppedStageFeeds``).
package struct ProgramStagePoll: Service {
    let classroom: ClassroomService
    let registry: StreamRegistry
    let board: ProgramStageBoard
    var grace: Duration
    var logger: Logger

    package init(
        classroom: ClassroomService, registry: StreamRegistry, board: ProgramStageBoard, grace: Duration = .seconds(30),
        logger: Logger = Logger(label: "relay.classroom")
    ) {
        self.classroom = classroom
        self.registry = registry
        self.board = board
        self.grace = grace
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            var feeds = DroppedStageFeeds(grace: grace)
            while !Task.isCancelled {
                await poll(&feeds)
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func poll(_ feeds: inout DroppedStageFeeds) async {
        let classes = classroom.service.snapshot.contents.classes
        var polled: Set<String> = []
        for key in registry.streamKeys where key.app == "live" && classes[key.name] != nil {
            guard let publisher = registry.stream(key)?.snapshot().publisher, publisher.pulledFrom == nil else { continue }
            polled.insert(key.name)
            let version = board.version(key.name)
            guard var stage = try? await classroom.stage(key.name) else { continue }
            let published = Set(
                stage.sites.filter { site in
                    registry.stream(ReturnFeedName(classId: key.name, siteId: site).streamKey)?.isPublished ?? false
                })
            let dropped = feeds.dropped(classId: key.name, onStage: stage.sites, published: published, now: .now)
            if !dropped.isEmpty, let left = await leave(key.name, dropped, stage) { stage = left }
            board.set(key.name, ProgramStage(sites: stage.sites, layout: stage.layout.rawValue), ifVersion: version)
        }
        feeds.keep(classes: polled)
    }

    /// Takes `dropped` off `classId`'s stage through the path of `PUT …/stage`; the new stage.
    private func leave(_ classId: String, _ dropped: [String], _ stage: ClassStage) async -> ClassStage? {
        let remaining = stage.sites.filter { !dropped.contains($0) }
        do {
            let left = try await classroom.setStage(classId, sites: remaining, layout: stage.layout, liveFeeds: Set(remaining))
            for site in dropped {
                logger.notice("left the stage: its feed dropped", metadata: ["class": "\(classId)", "site": "\(site)"])
            }
            return left
        } catch {
            logger.warning("a site whose feed dropped stays on stage", metadata: ["class": "\(classId)", "error": "\(error)"])
            return nil
        }
    }
}
