public import Foundation
import Logging
public import RelayCore

/// The interactive classroom's state over the store: hands raised by sites and who is on the
/// class's stage, both for the occurrence open now (from `window` before it to `window` after
/// it, as access decisions have it); outside that window the stage is empty and no hand is up.
public struct ClassroomService: Sendable {
    public let service: ControlPlaneService
    public let window: TimeInterval
    /// Told after every stage change (relayd passes the stage on to the class's transcoder).
    public var stageObserver: StageObserver?

    public init(service: ControlPlaneService, windowMinutes: Int) {
        self.service = service
        self.window = TimeInterval(windowMinutes * 60)
    }

    /// Why a stage or hand change was refused, for the API layer to map.
    public enum Refusal: Error, Equatable, Sendable {
        case noSuchClass(String)
        case notOpen(classId: String)
        case stage(StageChange.Refusal)
    }

    /// The start of the occurrence of `schedule` open at `now`, if one is.
    func openOccurrence(_ schedule: ClassSchedule, now: Date) -> Date? {
        service.expansion.occurrences(of: schedule, from: now.addingTimeInterval(-window), to: now.addingTimeInterval(window)).first?.startsAt
    }

    func schedule(_ classId: String) throws(Refusal) -> ClassSchedule {
        guard let schedule = service.snapshot.contents.classes[classId] else { throw .noSuchClass(classId) }
        return schedule
    }

    /// The stage and hands now (empty outside the class's window).
    public func stage(_ classId: String, now: Date = Date()) async throws -> ClassStage {
        let schedule = try schedule(classId)
        guard let occurrence = openOccurrence(schedule, now: now) else { return .empty }
        return try await service.store.classroom(classId, occurrence: occurrence)
    }

    /// Raises `siteId`'s hand (a site of the class, in its window).
    public func raiseHand(_ classId: String, siteId: String, now: Date = Date()) async throws -> ClassStage {
        let schedule = try schedule(classId)
        guard let occurrence = openOccurrence(schedule, now: now) else { throw Refusal.notOpen(classId: classId) }
        guard schedule.siteIds.contains(siteId) else { throw Refusal.stage(.notASite(siteId)) }
        let store = service.store
        return try await store.transaction {
            try await store.raiseHand(classId, siteId: siteId, occurrence: occurrence, at: now)
            return try await store.classroom(classId, occurrence: occurrence)
        }
    }

    /// Lowers `siteId`'s hand (nothing to do when it is not up).
    public func lowerHand(_ classId: String, siteId: String, now: Date = Date()) async throws -> ClassStage {
        let schedule = try schedule(classId)
        guard let occurrence = openOccurrence(schedule, now: now) else { return .empty }
        let store = service.store
        return try await store.transaction {
            try await store.lowerHand(classId, siteId: siteId)
            return try await store.classroom(classId, occurrence: occurrence)
        }
    }

    /// Puts `sites` on stage (an empty list ends it); each must be a site of the class whose
    /// return feed is in `liveFeeds`. Their hands are lowered.
    public func setStage(
        _ classId: String, sites: [String], layout: StageLayout, liveFeeds: Set<String>, now: Date = Date()
    ) async throws -> ClassStage {
        let schedule = try schedule(classId)
        let change: StageChange
        switch StageChange.check(sites: sites, layout: layout, classSites: schedule.siteIds, liveFeeds: liveFeeds) {
        case .success(let checked): change = checked
        case .failure(let refusal): throw Refusal.stage(refusal)
        }
        guard let occurrence = openOccurrence(schedule, now: now) else {
            if change.sites.isEmpty {
                stageObserver?(classId, .empty)
                return .empty
            }
            throw Refusal.notOpen(classId: classId)
        }
        let store = service.store
        let stage = try await store.transaction {
            try await store.setStage(classId, sites: change.sites, layout: change.layout, occurrence: occurrence, at: now)
            for site in change.sites { try await store.lowerHand(classId, siteId: site) }
            return try await store.classroom(classId, occurrence: occurrence)
        }
        stageObserver?(classId, ProgramStage(sites: stage.sites, layout: stage.layout.rawValue))
        service.logger.info(
            "stage changed",
            metadata: [
                "class": "\(classId)", "sites": "\(change.sites.joined(separator: ","))", "layout": "\(change.layout.rawValue)",
            ])
        return stage
    }
}
