import Foundation
import ProcessTestSupport
import Testing

/// A full data directory, and one that stops accepting writes: API writes fail with 503 and
/// change nothing; the lesson keeps playing; writes work again once the disk is back. (`remount,ro`
/// is refused while SQLite holds the database open for writing, so "read-only" is staged with
/// the immutable attribute, `chattr +i`, which refuses writes even through open descriptors.)
@Suite(.serialized)
struct DiskFaultTests {
    @Test func fullDataDirGives503AndTheLessonPlaysOn() async throws {
        let mountPoint = try makeTemporaryDirectory("relay-tmpfs")
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let (mounted, _, why) = try await runTool("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint])
        guard mounted == 0 else {
            Issue.record("the disk-full test cannot mount a tmpfs (needs root): \(why.trimmingCharacters(in: .whitespacesAndNewlines))")
            return
        }
        try await running({ try await run(mountPoint) }, thenCleaningUp: { _ = try? await runTool("umount", ["-l", mountPoint]) })
    }

    private func run(_ dir: String) async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(), reuseDataDir: dir)
        let url = relay.url("disk")
        let publisher = try MediaTools.publish(to: url, seconds: 40)
        defer { publisher.signal(SIGKILL) }
        let token = relay.adminToken
        let schools = relay.apiBase + "/schools"
        func create(_ id: String) async throws -> Curl.Reply { try await Self.createSchool(id, on: relay) }
        #expect(try await create("before").status == 201)

        // Fill the file system to the last byte.
        _ = try await runTool("dd", ["if=/dev/zero", "of=\(dir)/filler", "bs=64k"], timeout: .seconds(30))
        let full = try await create("whilefull")
        #expect(full.status == 503, "\(full.status) \(full.body)")
        #expect(full.body.contains("\"unavailable\""), "\(full.body)")
        let patch = try await Curl.call(schools + "/before", method: "PATCH", token: token, body: #"{"name":"Renamed"}"#)
        #expect(patch.status == 503, "\(patch.status) \(patch.body)")
        try await expectLessonPlays(url)

        // Room again: nothing of the failed writes is there, and writing works.
        try FileManager.default.removeItem(atPath: dir + "/filler")
        let listed = try await Curl.call(schools, token: token)
        #expect(listed.status == 200)
        #expect(!listed.body.contains("whilefull"), "a refused write left nothing behind")
        #expect(!listed.body.contains("Renamed"))
        #expect(try await create("afterfull").status == 201)

        #expect(relay.child.isRunning)
        #expect(await relay.stop() == 0)
    }

    @Test func readOnlyDataDirGives503AndTheLessonPlaysOn() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig())
        let dir = relay.dataDir + "/var"
        let url = relay.url("readonly")
        let publisher = try MediaTools.publish(to: url, seconds: 40)
        defer { publisher.signal(SIGKILL) }
        let token = relay.adminToken
        let schools = relay.apiBase + "/schools"
        func create(_ id: String) async throws -> Curl.Reply { try await Self.createSchool(id, on: relay) }
        #expect(try await create("before").status == 201)

        // The database, its WAL and the directory refuse writes. (Not the WAL index `-shm`: SQLite
        // maps it into memory, and an immutable mapped file is a SIGBUS, not a disk going read-only;
        // a real read-only mount cannot happen under an open writable file.)
        let files = [dir + "/relay.db", dir + "/relay.db-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        let (locked, _, why) = try await runTool("chattr", ["+i"] + files + [dir])
        defer { Task { _ = try? await runTool("chattr", ["-i"] + files + [dir]) } }
        guard locked == 0 else {
            Issue.record("the read-only test: chattr +i refused (needs root): \(why.trimmingCharacters(in: .whitespacesAndNewlines))")
            _ = await relay.stop()
            return
        }
        let refused = try await create("whilereadonly")
        #expect(refused.status == 503, "\(refused.status) \(refused.body)")
        #expect(refused.body.contains("\"unavailable\""), "\(refused.body)")
        #expect(try await Curl.call(schools, token: token).status == 200, "reads still work")
        try await expectLessonPlays(url)

        let (unlocked, _, _) = try await runTool("chattr", ["-i"] + files + [dir])
        #expect(unlocked == 0)
        let listed = try await Curl.call(schools, token: token)
        #expect(!listed.body.contains("whilereadonly"), "a refused write left nothing behind")
        #expect(try await create("after").status == 201)
        #expect(relay.child.isRunning)
        #expect(await relay.stop() == 0)
    }

    /// POSTs a central school `id` to the relay's API.
    static func createSchool(_ id: String, on relay: RelaydServer) async throws -> Curl.Reply {
        try await Curl.call(
            relay.apiBase + "/schools", method: "POST", token: relay.adminToken,
            body: #"{"id":"\#(id)","name":"School \#(id)","role":"central"}"#)
    }

    private func expectLessonPlays(_ url: String) async throws {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url,
            ], timeout: .seconds(20))
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264"))
    }
}
