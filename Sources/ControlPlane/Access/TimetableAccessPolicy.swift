public import Foundation
public import Logging
public import RelayCore

/// `auth.mode: timetable`: publishing needs the class's central-school key and playing a key
/// of one of its sites, both only from `window` before an occurrence to `window` after it.
/// A site's return feed (`live/<classId>~<siteId>`) is the other way round: only that site
/// publishes it and only the central school plays it, in the same window.
public struct TimetableAccessPolicy: AccessPolicy {
    public let service: ControlPlaneService
    public let window: TimeInterval
    let logger: Logger

    public init(service: ControlPlaneService, windowMinutes: Int, logger: Logger) {
        self.service = service
        self.window = TimeInterval(windowMinutes * 60)
        self.logger = logger
    }

    /// From the timetable snapshot; the store is read only before the snapshot's first load.
    public func authorize(_ request: AccessRequest) async -> AccessDecision {
        if let decision = decideNow(request) { return decision }
        try? await service.reloadSnapshot()
        return decideNow(request) ?? deny(request, .unavailable, "the timetable cannot be read right now")
    }

    /// The decision from memory (nil until the snapshot has been loaded once).
    public func decideNow(_ request: AccessRequest) -> AccessDecision? {
        let contents = service.snapshot.contents
        guard contents.loadedAt != nil else { return nil }
        return decide(request, contents, now: Date())
    }

    private func deny(_ request: AccessRequest, _ code: DenyCode, _ reason: String) -> AccessDecision {
        RefusalCounter.count(request.action, reason: code.metricLabel)
        return .deny(code, reason: reason)
    }

    func decide(_ request: AccessRequest, _ contents: TimetableSnapshot.Contents, now: Date) -> AccessDecision {
        guard request.stream.app == "live" else { return deny(request, .unknownApp, "unknown application '\(request.stream.app)'") }
        guard let key = request.key, !key.isEmpty else { return deny(request, .noKey, "no key given (?key=...)") }
        // The key first: without a valid one every class, site and return feed gets the same
        // 403, so the timetable's classes and sites cannot be enumerated without a key.
        guard let school = contents.school(forKey: key) else {
            return deny(request, .badKey, "the key is not valid")
        }
        let feed = request.stream.returnFeed
        let classID = feed?.classId ?? request.stream.name
        guard let schedule = contents.classes[classID] else {
            return deny(request, .unknownClass, "no class '\(classID)'")
        }
        if let feed, !schedule.siteIds.contains(feed.siteId) {
            return deny(request, .unknownClass, "'\(feed.siteId)' is not a site of class '\(classID)', so it has no return feed")
        }
        switch (request.action, feed) {
        case (.publish, nil):
            guard school.id == schedule.centralSchoolId else {
                return deny(request, .wrongSchool, "school '\(school.id)' does not teach class '\(classID)'")
            }
        case (.play, nil):
            guard schedule.siteIds.contains(school.id) else {
                return deny(request, .wrongSchool, "school '\(school.id)' is not a site of class '\(classID)'")
            }
        case let (.publish, feed?):
            guard school.id == feed.siteId else {
                return deny(request, .wrongSchool, "only site '\(feed.siteId)' publishes its return feed of class '\(classID)', not '\(school.id)'")
            }
        case let (.play, feed?):
            guard school.id == schedule.centralSchoolId else {
                return deny(
                    request, .wrongSchool,
                    "only the central school of class '\(classID)' plays the return feed of '\(feed.siteId)', not '\(school.id)'")
            }
        }
        let open = service.expansion.occurrences(of: schedule, from: now.addingTimeInterval(-window), to: now.addingTimeInterval(window))
        guard !open.isEmpty else {
            let next = service.expansion.occurrences(of: schedule, from: now).first
            let when = next.map { "; next occurrence starts \(Validation.formatTime($0.startsAt))" } ?? "; it has no more occurrences"
            return deny(request, .outsideWindow, "class '\(classID)' is not open now\(when)")
        }
        return .allow(AccessGrant(schoolId: school.id, bandwidthKbps: school.bandwidthKbps))
    }
}
