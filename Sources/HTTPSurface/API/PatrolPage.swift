import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import RelayCore

/// 巡课, the patrol wall for the bureau's administrators: `GET /patrol` is the admin login
/// (`AdminLogin`, shared with `/console`), whose session cookie opens the wall: every class in its window now as
/// a muted live tile (WHEP, lowest rung) with its publisher's state, input kbit/s and viewers per
/// site, the classes of the next hour below, a tile opening the class large with sound. The page
/// (`assets/patrol.js` over `assets/whep.js`) polls `GET /patrol/wall.json`; its players post
/// offers to `POST /patrol/whep/<classId>[_<rung>]`, both allowed by the cookie alone.
struct PatrolPage: Sendable {
    let service: ControlPlaneService
    let registry: StreamRegistry?
    let renditions: RenditionDirectory?
    let webRTC: any WebRTCPlaybackHost
    /// The admin login and its sessions, shared with `/console`.
    let login: AdminLogin
    /// Who is on each class's stage (nil: no interactive classroom, no mark on the tiles).
    var classroom: ClassroomService?
    let wall: MustacheTemplate

    static let heading = "巡课 · 管理员登录"

    init(
        service: ControlPlaneService, registry: StreamRegistry?, renditions: RenditionDirectory?,
        webRTC: any WebRTCPlaybackHost, login: AdminLogin
    ) throws {
        self.service = service
        self.registry = registry
        self.renditions = renditions
        self.webRTC = webRTC
        self.login = login
        wall = try PageTemplates.load("patrol")
    }

    func add(to router: Router<RelayRequestContext>) {
        router.get("patrol") { request, _ in
            guard loggedIn(request) else { return login.loginForm(page: "patrol", heading: Self.heading) }
            return html(wall.renderPage([:]), status: .ok)
        }
        login.add(to: router, page: "patrol", heading: Self.heading)
        router.get("patrol/wall.json") { request, _ in
            guard loggedIn(request) else { throw APIError.unauthorized }
            return try json(try await wallState())
        }
        router.post("patrol/whep/:name") { request, context in try await offer(request, context) }
    }

    private func loggedIn(_ request: Request) -> Bool {
        login.loggedIn(request)
    }

    /// What the wall shows: classes in their window now, and those starting within the hour.
    struct WallState: Encodable {
        struct Tile: Encodable {
            let classId, title, program, centralSchool, state: String
            let teacher: String?
            let inputKbps: Int
            /// The rung the tile plays (the lowest), or nil for the source.
            let tileRendition: String?
            let viewers: [Viewer]
            /// The sites' return feeds being published (small tiles beside the lesson).
            let returnFeeds: [ReturnFeed]
            /// The sites on the class's stage now (the tile is marked 互动中).
            let onStage: [String]
        }
        struct ReturnFeed: Encodable {
            let siteId, site, stream: String
            let inputKbps: Int
        }
        struct Viewer: Encodable {
            let siteId: String?
            let `protocol`, rendition: String
        }
        struct Upcoming: Encodable {
            let classId, title, startsAt: String
        }
        let live: [Tile]
        let upcoming: [Upcoming]
    }

    private func wallState() async throws -> WallState {
        let now = Date()
        let schools = Dictionary(try await service.schools().map { ($0.id, $0.name) }) { first, _ in first }
        let occurrences = try await service.timetable(schoolId: nil, from: now.addingTimeInterval(-12 * 3600), to: now.addingTimeInterval(3600))
        var tiles: [WallState.Tile] = []
        var upcoming: [WallState.Upcoming] = []
        var seen = Set<String>()
        for occurrence in occurrences.sorted(by: { $0.startsAt < $1.startsAt }) {
            if occurrence.startsAt > now {
                upcoming.append(.init(classId: occurrence.classId, title: occurrence.title, startsAt: Validation.formatTime(occurrence.startsAt)))
                continue
            }
            guard occurrence.endsAt > now, seen.insert(occurrence.classId).inserted else { continue }
            let schedule = try? await service.classSchedule(occurrence.classId)
            let source = StreamKey(app: "live", name: occurrence.classId)
            let stream = registry?.stream(source)
            let snapshot = stream?.snapshot()
            // Published: live. A stream kept without a publisher: it dropped (the grace period).
            let state = snapshot?.publisher != nil ? "live" : stream != nil ? "lost" : "waiting"
            let live = schedule.map { LiveView.render($0, registry: registry, renditions: renditions, expansion: service.expansion) }
            tiles.append(
                .init(
                    classId: occurrence.classId, title: occurrence.title, program: occurrence.program.rawValue,
                    centralSchool: schools[occurrence.centralSchoolId] ?? occurrence.centralSchoolId, state: state,
                    teacher: schedule?.teacher, inputKbps: snapshot?.inputKbps ?? 0,
                    tileRendition: renditions?.renditions(for: source).last?.name,
                    viewers: (live?.viewers ?? []).map { .init(siteId: $0.siteId, protocol: $0.protocol, rendition: $0.rendition) },
                    returnFeeds: (live?.returnFeeds ?? []).map {
                        .init(
                            siteId: $0.siteId, site: schools[$0.siteId] ?? $0.siteId,
                            stream: ReturnFeedName(classId: occurrence.classId, siteId: $0.siteId).streamName, inputKbps: $0.inputKbps
                        )
                    },
                    onStage: ((try? await classroom?.stage(occurrence.classId))?.sites ?? []).map { schools[$0] ?? $0 }
                ))
        }
        return WallState(live: tiles, upcoming: upcoming)
    }

    /// A tile's (or the large view's) WHEP offer, allowed by the patrol session.
    private func offer(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        guard loggedIn(request) else { throw APIError.unauthorized }
        let (base, rendition) = Rendition.split(name: try context.parameters.require("name"), ladder: renditions?.ladderNames ?? [])
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        do {
            var offer = WebRTCPlaybackRequest(
                stream: StreamKey(app: "live", name: base), rendition: rendition, offer: String(buffer: body),
                grant: AccessGrant(schoolId: nil), remoteAddress: context.remoteAddress?.ipAddress ?? "?"
            )
            offer.limited = false  // the administrator's wall opens a tile per live class at once
            let answer = try await webRTC.startPlayback(offer)
            var headers = HTTPFields()
            headers[.contentType] = "application/sdp"
            headers[.location] = "/whep/sessions/\(answer.sessionID)"
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.sdp)))
        } catch let error as WebRTCOfferError {
            throw APIError(error.httpStatus, error.code.rawValue, error.message)
        }
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        PageTemplates.html(text, status: status)
    }
}
