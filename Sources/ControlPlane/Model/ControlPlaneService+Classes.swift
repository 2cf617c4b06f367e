public import Foundation

extension ControlPlaneService {
    public func createClass(_ data: Data) async throws(ControlPlaneError) -> ClassSchedule {
        let input: ClassInput = try decode(data)
        let id = input.id.value ?? Validation.newID(prefix: "class")
        try Validation.checkID(id)
        let schedule = try build(id: id, from: input, base: nil)
        try await locked { () throws(ControlPlaneError) in
            if try await db({ () throws(StoreError) in try await store.classSchedule(id: id) }) != nil {
                throw .conflict("a class with id '\(id)' already exists")
            }
            try await checkRules(schedule)
            try await db { () throws(StoreError) in try await store.insertClass(schedule) }
        }
        logger.info("class created", metadata: ["class": "\(id)", "program": "\(schedule.program.rawValue)"])
        return schedule
    }

    public func updateClass(_ id: String, _ data: Data) async throws(ControlPlaneError) -> ClassSchedule {
        let input: ClassInput = try decode(data)
        if let newID = input.id.value, newID != id { throw .badRequest("id cannot be changed") }
        return try await locked { () throws(ControlPlaneError) in
            let existing = try await classSchedule(id)
            let schedule = try build(id: id, from: input, base: existing)
            try await checkRules(schedule)
            try await db { () throws(StoreError) in try await store.updateClass(schedule) }
            return schedule
        }
    }

    public func classSchedule(_ id: String) async throws(ControlPlaneError) -> ClassSchedule {
        guard let schedule = try await db({ () throws(StoreError) in try await store.classSchedule(id: id) }) else {
            throw .notFound("class '\(id)'")
        }
        return schedule
    }

    public func classes() async throws(ControlPlaneError) -> [ClassSchedule] {
        try await db { () throws(StoreError) in try await store.classes() }
    }

    public func deleteClass(_ id: String) async throws(ControlPlaneError) {
        try await locked { () throws(ControlPlaneError) in
            _ = try await classSchedule(id)
            try await db { () throws(StoreError) in try await store.deleteClass(id: id) }
        }
        logger.info("class deleted", metadata: ["class": "\(id)"])
    }

    /// Occurrences in [from, to), in time order, optionally only those a school takes part in.
    public func timetable(schoolId: String?, from: Date, to: Date) async throws(ControlPlaneError) -> [Occurrence] {
        if let schoolId { _ = try await school(schoolId) }
        let classes = try await classes()
        var result: [Occurrence] = []
        for c in classes where schoolId == nil || c.centralSchoolId == schoolId || c.siteIds.contains(schoolId!) {
            result += expansion.occurrences(of: c, from: from, to: to)
        }
        return result.sorted { ($0.startsAt, $0.classId) < ($1.startsAt, $1.classId) }
    }

    /// Merges a create or patch input over `base` and checks every field.
    func build(id: String, from input: ClassInput, base: ClassSchedule?) throws(ControlPlaneError) -> ClassSchedule {
        func required<T>(_ patch: Patch<T>, _ current: T?, _ field: String) throws(ControlPlaneError) -> T {
            switch patch {
            case .value(let v): return v
            case .null: throw .badRequest("\(field) cannot be null")
            case .absent:
                guard let current else { throw .badRequest("\(field) is required") }
                return current
            }
        }
        func optional<T>(_ patch: Patch<T>, _ current: T?) -> T? {
            switch patch {
            case .value(let v): return v
            case .null: return nil
            case .absent: return current
            }
        }
        let title = try required(input.title, base?.title, "title")
        try Validation.checkText(title, field: "title")
        let program = try required(input.program, base?.program, "program")
        let central = try required(input.centralSchoolId, base?.centralSchoolId, "centralSchoolId")
        let teacher = optional(input.teacher, base?.teacher)
        if let teacher { try Validation.checkText(teacher, field: "teacher") }
        let subject = optional(input.subject, base?.subject)
        if let subject { try Validation.checkText(subject, field: "subject") }
        let startsAt: Date
        if case .value(let text) = input.startsAt {
            startsAt = try Validation.parseTime(text, field: "startsAt")
        } else {
            startsAt = try required(Patch<Date>.absent, base?.startsAt, "startsAt")
            if case .null = input.startsAt { throw .badRequest("startsAt cannot be null") }
        }
        let endsAt: Date
        if case .value(let text) = input.endsAt {
            endsAt = try Validation.parseTime(text, field: "endsAt")
        } else {
            endsAt = try required(Patch<Date>.absent, base?.endsAt, "endsAt")
            if case .null = input.endsAt { throw .badRequest("endsAt cannot be null") }
        }
        guard endsAt > startsAt else { throw .unprocessable("invalid_time_range", "endsAt must be after startsAt") }
        guard endsAt.timeIntervalSince(startsAt) <= 24 * 3600 else {
            throw .unprocessable("invalid_time_range", "a class lasts at most 24 hours")
        }
        let siteIds = try required(input.siteIds, base?.siteIds, "siteIds")
        guard !siteIds.isEmpty else { throw .badRequest("siteIds must name at least one site") }
        guard siteIds.count <= 1000 else { throw .badRequest("siteIds names at most 1000 sites") }
        guard Set(siteIds).count == siteIds.count else { throw .badRequest("siteIds must not repeat a site") }
        var recurrence: Recurrence? = base?.recurrence
        switch input.recurrence {
        case .null: recurrence = nil
        case .absent: break
        case .value(let r):
            guard let weekly = r.weekly, !weekly.isEmpty else {
                throw .badRequest("recurrence.weekly must list days such as [\"mon\",\"thu\"]")
            }
            guard let until = r.until else { throw .badRequest("recurrence.until is required (YYYY-MM-DD)") }
            let isYMD =
                until.utf8.count == 10
                && until.utf8.enumerated().allSatisfy { i, c in
                    i == 4 || i == 7 ? c == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                }
            guard isYMD, let untilDate = expansion.endOfDay(until) else {
                throw .badRequest("recurrence.until must be a date such as 2027-01-15, got '\(until)'")
            }
            guard untilDate >= startsAt else { throw .unprocessable("invalid_time_range", "recurrence.until is before startsAt") }
            guard untilDate.timeIntervalSince(startsAt) <= 3 * 366 * 86400 else {
                throw .unprocessable("invalid_time_range", "recurrence.until is more than three years after startsAt")
            }
            recurrence = Recurrence(weekly: Array(Set(weekly)).sorted(), until: until)
        }
        // Absent: kept on a patch (the program's default on a create); null: the program's default.
        let record: Bool? =
            switch input.record {
            case .value(let v): v
            case .null: nil
            case .absent: base?.record
            }
        return ClassSchedule(
            id: id, title: title, program: program, centralSchoolId: central, teacher: teacher, subject: subject,
            startsAt: startsAt, endsAt: endsAt, siteIds: siteIds, recurrence: recurrence, record: record
        )
    }

    /// Pairing (422) and overlap (409) rules against what is stored.
    func checkRules(_ schedule: ClassSchedule) async throws(ControlPlaneError) {
        let schools = try await db { () throws(StoreError) in try await store.schools() }
        let byID = Dictionary(uniqueKeysWithValues: schools.map { ($0.id, $0) })
        guard let central = byID[schedule.centralSchoolId] else {
            throw .unprocessable("unknown_school", "centralSchoolId '\(schedule.centralSchoolId)' does not exist")
        }
        guard central.role == .central else {
            throw .unprocessable("wrong_role", "'\(central.id)' is a site, not a central school")
        }
        let pairings = try await db { () throws(StoreError) in try await store.pairings() }
        for siteID in schedule.siteIds {
            guard let site = byID[siteID] else { throw .unprocessable("unknown_school", "site '\(siteID)' does not exist") }
            guard site.role == .site else { throw .unprocessable("wrong_role", "'\(siteID)' is a central school, not a site") }
            guard
                pairings.contains(where: {
                    $0.centralSchoolId == central.id && $0.siteId == siteID && $0.program == schedule.program
                })
            else {
                throw .unprocessable(
                    "not_paired", "site '\(siteID)' is not paired with '\(central.id)' for \(schedule.program.rawValue)"
                )
            }
        }
        let others = try await db { () throws(StoreError) in try await store.classes() }
        let sites = Set(schedule.siteIds)
        for other in others where other.id != schedule.id {
            let sameCentral = other.centralSchoolId == schedule.centralSchoolId
            let sharedSite = other.siteIds.first { sites.contains($0) }
            guard sameCentral || sharedSite != nil else { continue }
            if let (_, theirs) = expansion.firstOverlap(schedule, other) {
                let who = sameCentral ? "central school '\(schedule.centralSchoolId)'" : "site '\(sharedSite!)'"
                throw .conflict(
                    "overlaps class '\(other.id)' (\(other.title)) for \(who): its occurrence "
                        + "\(Validation.formatTime(theirs.startsAt))–\(Validation.formatTime(theirs.endsAt))"
                )
            }
        }
    }
}
