import Foundation
import Media
import NIOConcurrencyHelpers
import ProcessTestSupport
import RelayCore
import Testing

@testable import SRT

/// One stream's SRT output without a socket: a real lesson (ffmpeg's MPEG-TS, through the
/// ingest) muxed once on the playout's thread, its chunks handed to stand-in players.
@Suite(.serialized)
struct SRTPlayoutTests {
    static let key = StreamKey(app: "live", name: "math")

    /// A player that keeps every chunk it is handed, and answers `.close` from `closeAt` on.
    final class RecordingMember: SRTPlayoutMember, @unchecked Sendable {
        private let lock = NIOLock()
        private var _chunks: [TSChunk] = []
        private var _closed: String?
        let closeAt: Int?
        let active = SRTPlayer.Feed(key: SRTPlayoutTests.key, rendition: "source")

        init(closeAt: Int? = nil) { self.closeAt = closeAt }

        var chunks: [TSChunk] { lock.withLock { _chunks } }
        var closed: String? { lock.withLock { _closed } }
        var viewerSnapshot: ViewerSnapshot {
            ViewerSnapshot(schoolId: nil, transport: .srt, rendition: "source", since: Date(), bytesSent: 0, sendKbps: 0, gopDrops: 0)
        }

        func deliver(_ chunk: TSChunk, from feed: StreamKey) -> SRTPlayer.Delivery {
            lock.withLock {
                if let closeAt, _chunks.count >= closeAt { return .close }
                _chunks.append(chunk)
                return .kept
            }
        }

        func close(reason: String) { lock.withLock { _closed = _closed ?? reason } }
    }

    static func lesson() async throws -> [MediaMessage] {
        let dir = try makeTemporaryDirectory("playout")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await TSConversionTests.makeTS(dir + "/in.ts", seconds: 4)
        let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/in.ts")))
        return try await TSConversionTests.ingest(input).messages
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        _ = try await ProcessTestSupport.waitUntil(timeout: .seconds(4), every: .milliseconds(10)) {
            condition()
        }
    }

    /// Until the muxing thread has handled all that was enqueued: a member added now joins at the
    /// thread's next turn, before the batch taken with it; a second one, added once the first has
    /// joined, joins only after that batch is done.
    static func waitForDrain(_ playout: SRTPlayout) async throws {
        for _ in 0..<2 {
            let probe = RecordingMember()
            playout.add(probe)
            _ = try await ProcessTestSupport.waitUntil("the playout's next turn", timeout: .seconds(5), every: .milliseconds(10)) {
                !probe.chunks.isEmpty
            }
        }
    }

    @Test func everyPlayerStartsAtAKeyframeAndALateOneGetsTheCachedGOPThenTheSameChunks() async throws {
        let messages = try await Self.lesson()
        let playout = SRTPlayout(key: Self.key, logger: .init(label: "test"))
        #expect(playout.start())
        let early = RecordingMember()
        playout.add(early)
        let half = messages.count / 2
        for message in messages[..<half] { playout.enqueue(.media(message), streamHasVideo: true) }
        try await Self.waitUntil { early.chunks.count > 20 }
        // Joins mid-GOP: the chunks since the latest keyframe first.
        let late = RecordingMember()
        playout.add(late)
        try await Self.waitUntil { !late.chunks.isEmpty }
        for message in messages[half...] { playout.enqueue(.media(message), streamHasVideo: true) }
        try await Self.waitUntil { late.chunks.count >= 40 }
        try await Self.waitForDrain(playout)  // the rest of the batch
        playout.stop()
        playout.thread?.join()

        let all = early.chunks, joined = late.chunks
        #expect(all.first?.startsKeyframe == true, "the first chunk a player gets starts with PAT/PMT and a keyframe")
        #expect(joined.first?.startsKeyframe == true)
        #expect(all.count > joined.count && joined.count > 1)
        #expect(Array(all.suffix(joined.count)) == joined, "the late player gets the very chunks the early one got, from a keyframe")
        #expect(all.allSatisfy { $0.bytes.count <= 1316 && $0.bytes.count % 188 == 0 })

        // What the early player got is one decodable MPEG-TS.
        let dir = try makeTemporaryDirectory("playout-out")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(all.flatMap(\.bytes)).write(to: URL(fileURLWithPath: dir + "/out.ts"))
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", dir + "/out.ts",
            ])
        #expect(code == 0 && err.isEmpty, "\(err)")
        #expect(out.contains("h264"), "\(out)")
    }

    @Test func aPlayerThatMustBeClosedIsClosedAndNoLongerFedWhileTheOthersGoOn() async throws {
        let messages = try await Self.lesson()
        let playout = SRTPlayout(key: Self.key, logger: .init(label: "test"))
        #expect(playout.start())
        let steady = RecordingMember()
        let failing = RecordingMember(closeAt: 3)
        playout.add(steady)
        playout.add(failing)
        for message in messages { playout.enqueue(.media(message), streamHasVideo: true) }
        try await Self.waitUntil { steady.chunks.count > 40 && failing.closed != nil }
        #expect(failing.closed == "player accepted no data (stalled or gone)")
        #expect(failing.chunks.count == 3)
        #expect(playout.players.count == 1, "only the steady player is fed")
        #expect(playout.remove(steady) == (true, true))
        #expect(playout.isEmpty)
        playout.stop()
        playout.thread?.join()
    }
}
