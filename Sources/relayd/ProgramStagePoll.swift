import ControlPlane
import RelayCore
import ServiceLifecycle

/// Copies the stage of every class whose teacher is live here from the store to the
/// ``ProgramStageBoard`` once a second: a stage set before a restart or through another node,
/// or emptied by the end of the class's window, reaches the transcoder too (a `PUT …/stage` on
/// this node reaches it at once, through ``ClassroomService/stageObserver``).
struct ProgramStagePoll: Service {
    let classroom: ClassroomService
    let registry: StreamRegistry
    let board: ProgramStageBoard

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await poll()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func poll() async {
        let classes = classroom.service.snapshot.contents.classes
        for key in registry.streamKeys where key.app == "live" && classes[key.name] != nil {
            guard let publisher = registry.stream(key)?.snapshot().publisher, publisher.pulledFrom == nil else { continue }
            let version = board.version(key.name)
            guard let stage = try? await classroom.stage(key.name) else { continue }
            board.set(key.name, ProgramStage(sites: stage.sites, layout: stage.layout.rawValue), ifVersion: version)
        }
    }
}
