import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import RelayCore

/// `GET /teacher/<classId>?key=<central key>`: the central school's wall of its sites' return
/// feeds (two-way dedicated classroom), one live WHEP tile per site, rendered from
/// `Pages/teacher.mustache`; `GET /teacher/<classId>/feeds?key=` is what the page polls.
///
/// The key must be the class's central school's, the only one that plays return feeds; outside
/// the class's window the page still renders and waits, as the watch page does.
struct TeacherWall: Sendable {
    let service: ControlPlaneService
    let policy: any AccessPolicy
    let registry: StreamRegistry?
    let template: MustacheTemplate

    init(service: ControlPlaneService, policy: any AccessPolicy, registry: StreamRegistry?) throws {
        self.service = service
        self.policy = policy
        self.registry = registry
        template = try PageTemplates.load("teacher")
    }

    func add(to router: Router<RelayRequestContext>) {
        router.get("teacher/:classId") { request, context in try await page(request, context) }
        router.get("teacher/:classId/feeds") { request, context in
            try json(try await feeds(try await check(request, context)))
        }
    }

    struct Feeds: Encodable {
        struct Site: Encodable {
            var siteId: String
            var name: String
            /// The stream name to play over WHEP (`<classId>~<siteId>`).
            var stream: String
            var live: Bool
            var `protocol`: String?
            var inputKbps: Int?
        }
        var classId: String
        var state: String
        var sites: [Site]
    }

    /// The class, for a request with its central school's key.
    private func check(_ request: Request, _ context: RelayRequestContext) async throws -> ClassSchedule {
        let classID = try context.parameters.require("classId")
        let schedule = try? await service.classSchedule(classID)
        // The key is checked first, for a class that does not exist too (a feed name no class
        // has), so without a valid key every class gets the same 403.
        let stream =
            schedule?.siteIds.first.map { ReturnFeedName(classId: classID, siteId: $0).streamKey }
            ?? StreamKey(app: "live", name: classID + "~")
        try await PlayAccess.authorizePage("teacher wall", stream: stream, key: PlayAccess.key(from: request), context: context, policy: policy)
        guard let schedule, !schedule.siteIds.isEmpty else { throw APIError.notFound("class '\(classID)' (or it has no sites)") }
        return schedule
    }

    private func feeds(_ schedule: ClassSchedule) async throws -> Feeds {
        let names = Dictionary((try? await service.schools())?.map { ($0.id, $0.name) } ?? [], uniquingKeysWith: { a, _ in a })
        let published = LiveView.returnFeeds(of: schedule, registry: registry, directory: nil)
        let lesson = registry?.stream(StreamKey(app: "live", name: schedule.id))?.isPublished ?? false
        return Feeds(
            classId: schedule.id,
            state: LiveView.state(of: schedule, published: lesson, expansion: service.expansion),
            sites: schedule.siteIds.map { site in
                let feed = published.first { $0.siteId == site }
                return Feeds.Site(
                    siteId: site, name: names[site] ?? site, stream: ReturnFeedName(classId: schedule.id, siteId: site).streamName,
                    live: feed != nil, protocol: feed?.protocol, inputKbps: feed?.inputKbps
                )
            }
        )
    }

    private func page(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let schedule = try await check(request, context)
        let html = template.renderPage([
            "title": schedule.title, "teacher": schedule.teacher ?? "—", "classId": schedule.id,
            "sites": String(schedule.siteIds.count),
        ])
        return PageTemplates.html(html)
    }
}
