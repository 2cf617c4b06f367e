import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import RelayCore

/// `GET /watch/<classId>?key=<site key>`: a teaching site's player page (WHEP in a `<video>`),
/// rendered from `Pages/watch.mustache`, its script `assets/watch.js` over `assets/whep.js`;
/// `GET /watch/<classId>/status?key=` is what the page polls to start by itself when the lesson
/// begins and resume after a publisher drop.
///
/// The key must be a site's of the class (or the central school's); outside the class's window
/// the page still renders and waits.
struct WatchPage: Sendable {
    let service: ControlPlaneService
    let policy: any AccessPolicy
    let registry: StreamRegistry?
    let template: MustacheTemplate

    init(service: ControlPlaneService, policy: any AccessPolicy, registry: StreamRegistry?) throws {
        self.service = service
        self.policy = policy
        self.registry = registry
        template = try PageTemplates.load("watch")
    }

    func add(to router: Router<RelayRequestContext>) {
        router.get("watch/:classId") { request, context in try await page(request, context) }
        router.get("watch/:classId/status") { request, context in
            let (schedule, state) = try await check(request, context)
            return try json(["classId": schedule.id, "state": state])
        }
    }

    /// The class and its state (`scheduled`, `live`, `ended`) for a request whose key may watch it.
    private func check(_ request: Request, _ context: RelayRequestContext) async throws -> (ClassSchedule, String) {
        let classID = try context.parameters.require("classId")
        try await PlayAccess.authorizePage(
            "watch page", stream: StreamKey(app: "live", name: classID), key: request.uri.queryParameters.get("key").map { String($0) },
            context: context, policy: policy
        )
        let schedule: ClassSchedule
        do {
            schedule = try await service.classSchedule(classID)
        } catch {
            throw APIError.notFound("class '\(classID)'")
        }
        let published = registry?.stream(StreamKey(app: "live", name: classID))?.isPublished ?? false
        let state = LiveView.state(of: schedule, published: published, expansion: service.expansion)
        return (schedule, state)
    }

    /// The site whose key this is, when it is a site of the class: its page may send the
    /// classroom and raise a hand.
    private func siteId(of key: String?, in schedule: ClassSchedule) -> String? {
        guard let key, let school = service.snapshot.contents.school(forKey: key), schedule.siteIds.contains(school.id) else { return nil }
        return school.id
    }

    private func page(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let (schedule, state) = try await check(request, context)
        let labels = ["scheduled": "未开始", "live": "直播中", "ended": "已结束"]
        let programs: [Program: String] = [.dedicated: "专递课堂", .masterTeacher: "名师课堂", .famousSchool: "名校网络课堂"]
        let html = template.renderPage([
            "title": schedule.title, "teacher": schedule.teacher ?? "—", "subject": schedule.subject ?? "—",
            "program": programs[schedule.program] ?? schedule.program.rawValue, "state": state,
            "stateLabel": labels[state] ?? state, "classId": schedule.id,
            "notice": state == "ended" ? "本节课已结束" : state == "live" ? "连接中…" : "等待上课…",
            "siteId": siteId(of: request.uri.queryParameters.get("key").map { String($0) }, in: schedule) ?? "",
        ])
        return PageTemplates.html(html)
    }
}
