public import Foundation
public import Logging

/// The timetable's rules over the store: what may be created, changed and removed.
/// Every change runs under one lock, so checks and writes never interleave.
public final class ControlPlaneService: Sendable {
    public let store: ControlStore
    public let expansion: OccurrenceExpansion
    /// Schools and classes in memory, for access decisions (reloaded after every change).
    public let snapshot = TimetableSnapshot()
    let writes = AsyncMutex()
    let logger: Logger
    /// Tells the other nodes when the timetable changed, so their snapshots follow at once.
    public let changes: any ChangeFeed

    public init(
        store: ControlStore, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!, changes: any ChangeFeed = NoChangeFeed(),
        logger: Logger
    ) {
        self.store = store
        self.changes = changes
        self.expansion = OccurrenceExpansion(timeZone: timeZone)
        self.logger = logger
    }

    /// Runs a store call, turning its errors into API errors.
    func db<T>(_ body: () async throws(StoreError) -> T) async throws(ControlPlaneError) -> T {
        do {
            return try await body()
        } catch {
            logger.error("store failure", metadata: ["error": "\(error)"])
            throw ControlPlaneError.from(error)
        }
    }

    /// Runs a check-then-write as one store transaction (serialised with every node's, so two
    /// nodes can never both pass the same check), under this process's write lock; the snapshot is
    /// reloaded before the lock is let go, so an answered change is already what access decisions see.
    func locked<T: Sendable>(_ body: @Sendable () async throws(ControlPlaneError) -> T) async throws(ControlPlaneError) -> T {
        try await writes.withLock { () throws(ControlPlaneError) -> T in
            let result: T
            do {
                result = try await store.transaction { () async throws -> T in try await body() }
            } catch let error as ControlPlaneError {
                throw error
            } catch let error as StoreError {
                logger.error("store failure", metadata: ["error": "\(error)"])
                throw ControlPlaneError.from(error)
            } catch {
                throw ControlPlaneError.from(StoreError.failed("\(error)"))
            }
            await reloadSnapshotAfterChange()
            await changes.announce(.timetable)
            return result
        }
    }

    /// Reloads the timetable snapshot from the store.
    public func reloadSnapshot() async throws(StoreError) {
        try await snapshot.reload(from: store)
    }

    private func reloadSnapshotAfterChange() async {
        do {
            try await reloadSnapshot()
        } catch {
            logger.error("cannot reload the timetable snapshot after a change; it catches up at the next reload", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Schools

    public func createSchool(_ data: Data) async throws(ControlPlaneError) -> (School, key: String) {
        let input: SchoolInput = try decode(data)
        guard let name = input.name.value else { throw .badRequest("name is required") }
        try Validation.checkText(name, field: "name")
        guard let role = input.role.value else { throw .badRequest("role is required: 'central' or 'site'") }
        let bandwidth = input.bandwidthKbps.value
        if role == .site && bandwidth == nil { throw .badRequest("bandwidthKbps is required for a site") }
        if let bandwidth { try checkBandwidth(bandwidth) }
        if let region = input.region.value { try Validation.checkText(region, field: "region") }
        let id = input.id.value ?? Validation.newID(prefix: role == .central ? "central" : "site")
        try Validation.checkID(id)
        let key = Secrets.newKey()
        let school = School(id: id, name: name, role: role, bandwidthKbps: bandwidth, region: input.region.value, keyHash: Secrets.keyHash(key))
        try await locked { () throws(ControlPlaneError) in
            if try await db({ () throws(StoreError) in try await store.school(id: id) }) != nil {
                throw .conflict("a school with id '\(id)' already exists")
            }
            try await db { () throws(StoreError) in try await store.insertSchool(school) }
        }
        logger.info("school created", metadata: ["school": "\(id)", "role": "\(role.rawValue)"])
        return (school, key)
    }

    func checkBandwidth(_ kbps: Int) throws(ControlPlaneError) {
        guard (64...10_000_000).contains(kbps) else { throw .badRequest("bandwidthKbps must be between 64 and 10000000") }
    }

    public func school(_ id: String) async throws(ControlPlaneError) -> School {
        guard let school = try await db({ () throws(StoreError) in try await store.school(id: id) }) else {
            throw .notFound("school '\(id)'")
        }
        return school
    }

    public func schools() async throws(ControlPlaneError) -> [School] {
        try await db { () throws(StoreError) in try await store.schools() }
    }

    public func updateSchool(_ id: String, _ data: Data) async throws(ControlPlaneError) -> School {
        let input: SchoolInput = try decode(data)
        return try await locked { () throws(ControlPlaneError) in
            var school = try await self.school(id)
            if let newID = input.id.value, newID != id { throw .badRequest("id cannot be changed") }
            if let role = input.role.value, role != school.role {
                throw .unprocessable("role_immutable", "role cannot be changed; create a new school instead")
            }
            if case .value(let name) = input.name {
                try Validation.checkText(name, field: "name")
                school.name = name
            } else if case .null = input.name {
                throw .badRequest("name cannot be null")
            }
            switch input.bandwidthKbps {
            case .value(let kbps):
                try checkBandwidth(kbps)
                school.bandwidthKbps = kbps
            case .null:
                if school.role == .site { throw .badRequest("bandwidthKbps is required for a site") }
                school.bandwidthKbps = nil
            case .absent: break
            }
            switch input.region {
            case .value(let region):
                try Validation.checkText(region, field: "region")
                school.region = region
            case .null: school.region = nil
            case .absent: break
            }
            let updated = school
            try await db { () throws(StoreError) in try await store.updateSchool(updated) }
            return updated
        }
    }

    public func deleteSchool(_ id: String) async throws(ControlPlaneError) {
        try await locked { () throws(ControlPlaneError) in
            _ = try await school(id)
            let pairings = try await db { () throws(StoreError) in try await store.pairings() }
            if let p = pairings.first(where: { $0.centralSchoolId == id || $0.siteId == id }) {
                throw .conflict("school '\(id)' is used by pairing '\(p.id)'; remove it first")
            }
            let classes = try await db { () throws(StoreError) in try await store.classes() }
            if let c = classes.first(where: { $0.centralSchoolId == id || $0.siteIds.contains(id) }) {
                throw .conflict("school '\(id)' is used by class '\(c.id)' (\(c.title)); remove it first")
            }
            try await db { () throws(StoreError) in try await store.deleteSchool(id: id) }
        }
        logger.info("school deleted", metadata: ["school": "\(id)"])
    }

    public func rotateKey(_ id: String) async throws(ControlPlaneError) -> (School, key: String) {
        let key = Secrets.newKey()
        let school = try await locked { () throws(ControlPlaneError) in
            var school = try await self.school(id)
            school.keyHash = Secrets.keyHash(key)
            let updated = school
            try await db { () throws(StoreError) in try await store.updateSchool(updated) }
            return updated
        }
        logger.info("school key rotated", metadata: ["school": "\(id)"])
        return (school, key)
    }

    // MARK: Pairings

    public func createPairing(_ data: Data) async throws(ControlPlaneError) -> Pairing {
        let input: PairingInput = try decode(data)
        guard let centralID = input.centralSchoolId else { throw .badRequest("centralSchoolId is required") }
        guard let siteID = input.siteId else { throw .badRequest("siteId is required") }
        guard let program = input.program else {
            throw .badRequest("program is required: dedicated, master-teacher or famous-school")
        }
        let id = input.id ?? Validation.newID(prefix: "pair")
        try Validation.checkID(id)
        let pairing = Pairing(id: id, centralSchoolId: centralID, siteId: siteID, program: program)
        try await locked { () throws(ControlPlaneError) in
            let central = try await db { () throws(StoreError) in try await store.school(id: centralID) }
            guard let central else { throw .unprocessable("unknown_school", "centralSchoolId '\(centralID)' does not exist") }
            guard central.role == .central else {
                throw .unprocessable("wrong_role", "'\(centralID)' is a site, not a central school")
            }
            let site = try await db { () throws(StoreError) in try await store.school(id: siteID) }
            guard let site else { throw .unprocessable("unknown_school", "siteId '\(siteID)' does not exist") }
            guard site.role == .site else { throw .unprocessable("wrong_role", "'\(siteID)' is a central school, not a site") }
            let existing = try await db { () throws(StoreError) in try await store.pairings() }
            if let same = existing.first(where: { $0.id == id }) {
                throw .conflict("a pairing with id '\(same.id)' already exists")
            }
            if let same = existing.first(where: { $0.centralSchoolId == centralID && $0.siteId == siteID && $0.program == program }) {
                throw .conflict("'\(siteID)' is already paired with '\(centralID)' for \(program.rawValue) (pairing '\(same.id)')")
            }
            try await db { () throws(StoreError) in try await store.insertPairing(pairing) }
        }
        return pairing
    }

    public func pairings() async throws(ControlPlaneError) -> [Pairing] {
        try await db { () throws(StoreError) in try await store.pairings() }
    }

    public func deletePairing(_ id: String) async throws(ControlPlaneError) {
        try await locked { () throws(ControlPlaneError) in
            guard let pairing = try await db({ () throws(StoreError) in try await store.pairing(id: id) }) else {
                throw .notFound("pairing '\(id)'")
            }
            let classes = try await db { () throws(StoreError) in try await store.classes() }
            if let c = classes.first(where: {
                $0.centralSchoolId == pairing.centralSchoolId && $0.program == pairing.program && $0.siteIds.contains(pairing.siteId)
            }) {
                throw .conflict("pairing '\(id)' is needed by class '\(c.id)' (\(c.title)); remove the site from it first")
            }
            try await db { () throws(StoreError) in try await store.deletePairing(id: id) }
        }
    }

    // MARK: Decoding

    func decode<T: Decodable>(_ data: Data) throws(ControlPlaneError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw .badRequest(Self.describe(error))
        } catch {
            throw .badRequest("the body must be a JSON object")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : p
        }
        switch error {
        case .typeMismatch(_, let c): return "\(path(c)) has the wrong type"
        case .valueNotFound(_, let c): return "\(path(c)) must not be null"
        case .keyNotFound(let key, _): return "\(key.stringValue) is required"
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(path(c)) has an invalid value"
        @unknown default: return "the body is not valid"
        }
    }
}
