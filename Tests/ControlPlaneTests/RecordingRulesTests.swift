import Foundation
import Testing

@testable import ControlPlane
@testable import HTTPSurface
@testable import Recording

/// The pure parts of recording: which recordings retention removes, the Range header, and the
/// signed tokens media URIs carry instead of keys.
@Suite struct RecordingRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func recording(_ id: String, daysAgo: Double, megabytes: Int64, state: Recording.State = .complete) -> Recording {
        let starts = now.addingTimeInterval(-daysAgo * 86400)
        return Recording(
            id: id, classId: "c", title: "t", program: .famousSchool, centralSchoolId: "c1", siteIds: ["s1"], occurrenceStartsAt: starts,
            startsAt: starts, endsAt: state == .recording ? nil : starts.addingTimeInterval(2700), durationMillis: 2_700_000,
            bytes: megabytes << 20, state: state, file: "\(id).mp4"
        )
    }

    @Test func retentionRemovesByAgeThenTheOldestFinishedUntilUnderTheLimit() {
        let all = [
            Self.recording("old", daysAgo: 40, megabytes: 10),
            Self.recording("a", daysAgo: 5, megabytes: 30, state: .interrupted),
            Self.recording("b", daysAgo: 3, megabytes: 30),
            Self.recording("c", daysAgo: 1, megabytes: 30),
            Self.recording("live", daysAgo: 0, megabytes: 30, state: .recording),
        ]
        func plan(keepDays: Int, maxDiskMB: Int, active: Set<String> = []) -> [String] {
            RetentionPlan.doomed(all, isActive: { active.contains($0) }, now: Self.now, keepDays: keepDays, maxDiskMB: maxDiskMB).map(\.0.id)
        }
        #expect(plan(keepDays: 30, maxDiskMB: 0) == ["old"])
        #expect(plan(keepDays: 0, maxDiskMB: 0).isEmpty)
        // 130 MB in all; under 100 MB after the oldest finished (old 10, a 30) go.
        #expect(plan(keepDays: 0, maxDiskMB: 100) == ["old", "a"])
        #expect(plan(keepDays: 30, maxDiskMB: 100) == ["old", "a"])
        // Never the one being written, even when it alone is over the limit.
        #expect(plan(keepDays: 0, maxDiskMB: 10) == ["old", "a", "b", "c"])
        #expect(!plan(keepDays: 0, maxDiskMB: 10, active: ["c"]).contains("c"), "a recorder still writing it")
        #expect(plan(keepDays: 0, maxDiskMB: 1000).isEmpty)
        let reasons = RetentionPlan.doomed(all, isActive: { _ in false }, now: Self.now, keepDays: 30, maxDiskMB: 100).map(\.1)
        #expect(reasons[0].contains("keepDays") && reasons[1].contains("maxDiskMB"))
    }

    @Test func byteRanges() {
        #expect(ByteRange(header: nil, size: 1000) == .whole)
        #expect(ByteRange(header: "bytes=0-99", size: 1000) == .part(0...99))
        #expect(ByteRange(header: "bytes=900-", size: 1000) == .part(900...999))
        #expect(ByteRange(header: "bytes=900-5000", size: 1000) == .part(900...999))
        #expect(ByteRange(header: "bytes=-100", size: 1000) == .part(900...999))
        #expect(ByteRange(header: "bytes=-5000", size: 1000) == .part(0...999))
        #expect(ByteRange(header: "bytes=1000-", size: 1000) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=5000-6000", size: 1000) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-9, 20-29", size: 1000) == .part(0...9), "the first of several")
        #expect(ByteRange(header: "bytes=9-0", size: 1000) == .whole, "an invalid range is ignored")
        #expect(ByteRange(header: "items=0-9", size: 1000) == .whole)
        #expect(ByteRange(header: "bytes=abc", size: 1000) == .whole)
    }

    @Test func tokensAreForOneRecordingAndLapse() async throws {
        let dir = NSTemporaryDirectory() + "tokens-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await SQLiteDatabase.open(path: dir + "/relay.db", logger: .init(label: "t"))
        defer { Task { await db.close() } }
        let access = RecordingAccess(
            service: ControlPlaneService(store: ControlStore(database: db), logger: .init(label: "t")), adminToken: "admin",
            limiter: FailedAuthLimiter()
        )
        let token = access.token(for: "rec-a", now: Self.now)
        #expect(access.valid(token, for: "rec-a", now: Self.now.addingTimeInterval(3600)))
        #expect(!access.valid(token, for: "rec-b", now: Self.now), "another recording")
        #expect(!access.valid(token, for: "rec-a", now: Self.now.addingTimeInterval(RecordingAccess.tokenLifetime + 1)), "lapsed")
        let parts = token.split(separator: ".")
        #expect(!access.valid("\(Int(parts[0])! + 86400).\(parts[1])", for: "rec-a", now: Self.now), "a stretched expiry")
        #expect(!access.valid("garbage", for: "rec-a", now: Self.now))
    }
}
