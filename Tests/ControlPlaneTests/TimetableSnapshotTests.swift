import Foundation
import RelayCore
import Testing

@testable import ControlPlane

/// Access decisions from the timetable snapshot: made in memory, reloaded by every change.
@Suite struct TimetableSnapshotTests {
    /// A timetable policy over a new SQLite store in a temporary directory.
    static func policyOnAFreshStore() async throws -> (String, SQLiteDatabase, ControlStore, ControlPlaneService, TimetableAccessPolicy) {
        let dir = NSTemporaryDirectory() + "snapshot-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try await SQLiteDatabase.open(path: dir + "/relay.db", logger: .init(label: "t"))
        let store = ControlStore(database: db)
        try await store.migrate()
        let service = ControlPlaneService(store: store, logger: .init(label: "t"))
        return (dir, db, store, service, TimetableAccessPolicy(service: service, windowMinutes: 15, logger: .init(label: "t")))
    }

    @Test func decisionsComeFromMemoryAndFollowEveryChange() async throws {
        let (dir, db, store, service, policy) = try await Self.policyOnAFreshStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func request(_ action: AccessRequest.Action, _ key: String?) -> AccessRequest {
            AccessRequest(action: action, transport: .srt, stream: StreamKey(app: "live", name: "math"), key: key, remoteAddress: "127.0.0.1")
        }
        #expect(policy.decideNow(request(.play, "x")) == nil, "nothing to decide from before the first load")

        let (_, central) = try await service.createSchool(Data(#"{"id":"c1","name":"c1","role":"central"}"#.utf8))
        let (_, site) = try await service.createSchool(Data(#"{"id":"s1","name":"s1","role":"site","bandwidthKbps":3000}"#.utf8))
        _ = try await service.createPairing(Data(#"{"centralSchoolId":"c1","siteId":"s1","program":"dedicated"}"#.utf8))
        let f = ISO8601DateFormatter()
        let body =
            #"{"id":"math","title":"数学","program":"dedicated","centralSchoolId":"c1","siteIds":["s1"],"startsAt":"\#(f.string(from: Date().addingTimeInterval(-60)))","endsAt":"\#(f.string(from: Date().addingTimeInterval(3600)))"}"#
        _ = try await service.createClass(Data(body.utf8))
        #expect(policy.decideNow(request(.play, site)) == .allow(AccessGrant(schoolId: "s1", bandwidthKbps: 3000)))
        #expect(policy.decideNow(request(.publish, central)) == .allow(AccessGrant(schoolId: "c1", bandwidthKbps: nil)))
        guard case .deny(.badKey, _) = policy.decideNow(request(.play, "wrong")) else {
            Issue.record("a wrong key")
            return
        }

        // A change through the service is seen at once; one behind its back at the next reload.
        let (_, rotated) = try await service.rotateKey("s1")
        guard case .deny(.badKey, _) = policy.decideNow(request(.play, site)) else {
            Issue.record("the old key after rotation")
            return
        }
        #expect(policy.decideNow(request(.play, rotated)) != nil)
        try await store.deleteClass(id: "math")
        #expect(policy.decideNow(request(.play, rotated)) == .allow(AccessGrant(schoolId: "s1", bandwidthKbps: 3000)), "not reloaded yet")
        try await service.reloadSnapshot()
        guard case .deny(.unknownClass, _) = policy.decideNow(request(.play, rotated)) else {
            Issue.record("after the reload")
            return
        }
        await db.close()
    }

    @Test func returnFeedsArePublishedByTheirSiteAndPlayedByTheCentralSchool() async throws {
        let (dir, db, _, service, policy) = try await Self.policyOnAFreshStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var keys: [String: String] = [:]
        for (id, role) in [("c1", "central"), ("s1", "site"), ("s2", "site"), ("s3", "site")] {
            keys[id] = try await service.createSchool(Data(#"{"id":"\#(id)","name":"\#(id)","role":"\#(role)","bandwidthKbps":3000}"#.utf8)).1
        }
        for site in ["s1", "s2"] {
            _ = try await service.createPairing(Data(#"{"centralSchoolId":"c1","siteId":"\#(site)","program":"dedicated"}"#.utf8))
        }
        let f = ISO8601DateFormatter()
        let body =
            #"{"id":"math","title":"数学","program":"dedicated","centralSchoolId":"c1","siteIds":["s1","s2"],"startsAt":"\#(f.string(from: Date().addingTimeInterval(-60)))","endsAt":"\#(f.string(from: Date().addingTimeInterval(3600)))"}"#
        _ = try await service.createClass(Data(body.utf8))
        func decide(_ action: AccessRequest.Action, _ name: String, _ school: String) -> AccessDecision? {
            policy.decideNow(
                AccessRequest(
                    action: action, transport: .rtmp, stream: StreamKey(app: "live", name: name), key: keys[school], remoteAddress: "127.0.0.1"))
        }
        func denied(_ decision: AccessDecision?) -> DenyCode? {
            if case .deny(let code, _) = decision { return code }
            return nil
        }
        #expect(decide(.publish, "math~s1", "s1") == .allow(AccessGrant(schoolId: "s1", bandwidthKbps: 3000)))
        #expect(decide(.play, "math~s1", "c1") == .allow(AccessGrant(schoolId: "c1", bandwidthKbps: 3000)))
        #expect(denied(decide(.publish, "math~s1", "s2")) == .wrongSchool, "another site")
        #expect(denied(decide(.publish, "math~s1", "c1")) == .wrongSchool, "the central school")
        #expect(denied(decide(.play, "math~s1", "s1")) == .wrongSchool, "the site itself")
        #expect(denied(decide(.play, "math~s1", "s2")) == .wrongSchool, "another site")
        #expect(denied(decide(.publish, "math~s3", "s3")) == .unknownClass, "a school that is not a site of the class")
        #expect(denied(decide(.publish, "nosuch~s1", "s1")) == .unknownClass)
        for malformed in ["math~", "~s1", "math~s1~s2"] {
            #expect(denied(decide(.publish, malformed, "s1")) == .unknownClass, "\(malformed)")
        }
        // The lesson's own rules are unchanged.
        #expect(decide(.publish, "math", "c1") == .allow(AccessGrant(schoolId: "c1", bandwidthKbps: 3000)))
        #expect(denied(decide(.publish, "math", "s1")) == .wrongSchool)
        await db.close()
    }

    @Test func withoutAValidKeyEveryClassAndFeedGetsTheSameRefusal() async throws {
        let (dir, db, _, service, policy) = try await Self.policyOnAFreshStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await service.createSchool(Data(#"{"id":"c1","name":"c1","role":"central"}"#.utf8))
        let (_, site) = try await service.createSchool(Data(#"{"id":"s1","name":"s1","role":"site","bandwidthKbps":3000}"#.utf8))
        _ = try await service.createPairing(Data(#"{"centralSchoolId":"c1","siteId":"s1","program":"dedicated"}"#.utf8))
        let f = ISO8601DateFormatter()
        let body =
            #"{"id":"math","title":"数学","program":"dedicated","centralSchoolId":"c1","siteIds":["s1"],"startsAt":"\#(f.string(from: Date().addingTimeInterval(-60)))","endsAt":"\#(f.string(from: Date().addingTimeInterval(3600)))"}"#
        _ = try await service.createClass(Data(body.utf8))
        func decide(_ action: AccessRequest.Action, _ name: String, _ key: String?) -> AccessDecision? {
            policy.decideNow(
                AccessRequest(action: action, transport: .webrtc, stream: StreamKey(app: "live", name: name), key: key, remoteAddress: "127.0.0.1"))
        }
        for name in ["math", "nosuch", "math~s1", "math~s9", "nosuch~s1", "math~"] {
            for action in [AccessRequest.Action.play, .publish] {
                guard case .deny(.badKey, let reason) = decide(action, name, "wrong") else {
                    Issue.record("\(action) \(name)")
                    continue
                }
                #expect(reason == "the key is not valid")
                guard case .deny(.noKey, _) = decide(action, name, nil) else {
                    Issue.record("\(action) \(name) without a key")
                    continue
                }
            }
        }
        guard case .deny(.unknownClass, _) = decide(.play, "nosuch", site) else {
            Issue.record("a valid key still learns 404")
            return
        }
        await db.close()
    }
}
