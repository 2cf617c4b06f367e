import Cluster
import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import RelayAPIModels
import RelayCore

/// The interactive classroom's REST routes: hands (`POST …/hands` with a site's key,
/// `DELETE …/hands/{siteId}`) and the stage (`GET`/`PUT …/stage`). Unlike the rest of the API
/// they take a school's key as well as the admin token: a site raises its own hand, the central
/// school puts sites on stage. The key is checked before anything about the class is said, so
/// a caller without one learns nothing of which classes exist.
struct ClassroomRoutes: Sendable {
    let classroom: ClassroomService
    let adminToken: String
    let limiter: FailedAuthLimiter
    let registry: StreamRegistry?
    let maxBodyBytes: Int

    /// Who is asking, by the bearer credential.
    enum Caller: Equatable {
        case admin
        case school(School)
    }

    func add(to router: Router<RelayRequestContext>) {
        let routes = self
        router.post("api/v1/classes/:id/hands") { request, context in
            let (classId, caller) = try await routes.caller(request, context)
            guard case .school(let school) = caller, school.role == .site else {
                throw APIError(.forbidden, "forbidden", "a hand is raised with a site's key")
            }
            try routes.requireMember(caller, of: try routes.schedule(classId))
            let stage = try await routes.perform { try await routes.classroom.raiseHand(classId, siteId: school.id) }
            return try json(Self.output(stage))
        }
        router.delete("api/v1/classes/:id/hands/:siteId") { request, context in
            let (classId, caller) = try await routes.caller(request, context)
            let siteId = try context.parameters.require("siteId")
            let schedule = try routes.schedule(classId)
            switch caller {
            case .admin: break
            case .school(let school) where school.id == siteId || school.id == schedule.centralSchoolId: break
            case .school:
                throw APIError(.forbidden, "forbidden", "a hand is lowered by its own site, the central school or an administrator")
            }
            let stage = try await routes.perform { try await routes.classroom.lowerHand(classId, siteId: siteId) }
            return try json(Self.output(stage))
        }
        router.get("api/v1/classes/:id/stage") { request, context in
            let (classId, caller) = try await routes.caller(request, context)
            try routes.requireMember(caller, of: try routes.schedule(classId))
            return try json(Self.output(try await routes.perform { try await routes.classroom.stage(classId) }))
        }
        router.put("api/v1/classes/:id/stage") { request, context in
            let (classId, caller) = try await routes.caller(request, context)
            let schedule = try routes.schedule(classId)
            if case .school(let school) = caller, school.id != schedule.centralSchoolId {
                throw APIError(.forbidden, "forbidden", "the stage is set by the class's central school or an administrator")
            }
            let input = try await routes.stageRequest(request)
            guard let layout = StageLayout(rawValue: input.layout ?? StageLayout.pip.rawValue) else {
                throw APIError.unprocessable(
                    "unknown_layout",
                    "layout must be one of \(StageLayout.allCases.map(\.rawValue).joined(separator: ", ")), got '\(input.layout ?? "")'"
                )
            }
            let live = try await routes.liveReturnFeeds(of: schedule)
            let stage = try await routes.perform {
                try await routes.classroom.setStage(classId, sites: input.sites, layout: layout, liveFeeds: live)
            }
            return try json(Self.output(stage))
        }
    }

    /// The class id and the caller: the admin token, else a school's key; a wrong or missing
    /// credential is 401 (and counts towards the address's lockout), whatever the class.
    func caller(_ request: Request, _ context: RelayRequestContext) async throws -> (String, Caller) {
        let classId = try context.parameters.require("id")
        let address = context.remoteAddress?.ipAddress
        let credential = PlayAccess.key(from: request) ?? ""
        if !credential.isEmpty, Secrets.constantTimeEquals(credential, adminToken) {
            if let address { limiter.recordSuccess(address) }
            return (classId, .admin)
        }
        if let school = classroom.service.snapshot.contents.school(forKey: credential) {
            if let address { limiter.recordSuccess(address) }
            return (classId, .school(school))
        }
        if let address {
            if let seconds = limiter.retryAfter(address) { throw APIError.tooManyFailures(retryAfter: seconds) }
            limiter.recordFailure(address)
        }
        throw APIError.unauthorized
    }

    func schedule(_ classId: String) throws -> ClassSchedule {
        guard let schedule = classroom.service.snapshot.contents.classes[classId] else { throw APIError.notFound("class '\(classId)'") }
        return schedule
    }

    /// The admin, the class's central school or one of its sites.
    func requireMember(_ caller: Caller, of schedule: ClassSchedule) throws {
        guard case .school(let school) = caller else { return }
        guard school.id == schedule.centralSchoolId || schedule.siteIds.contains(school.id) else {
            throw APIError(.forbidden, "forbidden", "school '\(school.id)' is not in class '\(schedule.id)'")
        }
    }

    func stageRequest(_ request: Request) async throws -> RelayAPI.StageRequest {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(RelayAPI.StageRequest.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("the body must be {\"sites\":[…],\"layout\":\"pip\"|\"side-by-side\"}")
        }
    }

    /// The sites of `schedule` whose return feed has a publisher now, on this node or on another
    /// node whose heartbeat is current.
    func liveReturnFeeds(of schedule: ClassSchedule) async throws -> Set<String> {
        var live = Set<String>()
        var names: [String: String] = [:]
        for site in schedule.siteIds {
            let key = ReturnFeedName(classId: schedule.id, siteId: site).streamKey
            names[key.description] = site
            if registry?.stream(key)?.snapshot().publisher != nil { live.insert(site) }
        }
        guard live.count < schedule.siteIds.count else { return live }
        let now = Date()
        let nodes = (try? await classroom.service.store.nodes()) ?? []
        for node in nodes where node.isAlive(now: now, window: NodeHeartbeat.aliveWindow) {
            for stream in node.streams { if let site = names[stream] { live.insert(site) } }
        }
        return live
    }

    /// Runs a classroom change, mapping its refusals to the API's errors.
    func perform<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as ClassroomService.Refusal {
            switch refusal {
            case .noSuchClass(let id): throw APIError.notFound("class '\(id)'")
            case .notOpen(let id): throw APIError(.forbidden, "outside_window", "class '\(id)' is not open now")
            case .stage(.tooManySites(let count)):
                throw APIError.unprocessable("too_many_sites", "at most \(ClassStage.maxSites) sites go on stage, got \(count)")
            case .stage(.repeated(let site)): throw APIError.unprocessable("repeated_site", "site '\(site)' is named twice")
            case .stage(.notASite(let site)): throw APIError.unprocessable("not_a_site", "'\(site)' is not a site of this class")
            case .stage(.notLive(let site)):
                throw APIError.conflict("site '\(site)' is not sending its classroom (its return feed is not live)")
            }
        } catch let error as StoreError {
            throw APIError.from(error)
        }
    }

    static func output(_ stage: ClassStage) -> RelayAPI.Stage {
        RelayAPI.Stage(
            sites: stage.sites, layout: stage.layout.rawValue,
            hands: stage.hands.map { .init(siteId: $0.siteId, since: Validation.formatTime($0.since)) },
            since: stage.since.map(Validation.formatTime)
        )
    }
}
