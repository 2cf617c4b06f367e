import Foundation
import ProcessTestSupport
import Testing

/// SRT players and the transcoding ladder: `r=live/<classId>_<rung>` pins a rung; the plain
/// name is adaptive where the site's downlink is known (here the 1000 kbit/s default: 360p).
@Suite(.serialized)
struct SRTRenditionTests {
    static let config = RelaydServer.openConfig(
        extra: """
            transcode:
              enabled: true
              preset: ultrafast
            player:
              defaultBandwidthKbps: 1000
            """)

    static func size(of url: String) async throws -> String {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", url,
            ], timeout: .seconds(25))
        #expect(code == 0, "ffprobe \(url): \(err)")
        return out.split(separator: "\n").first.map(String.init) ?? ""
    }

    @Test func pinnedAndAdaptiveSRTPlayersGetRungs() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let publisher = try MediaTools.publishLesson(to: relay.url("srtladder"), seconds: 30)
        defer { publisher.signal(SIGKILL) }
        // The rungs exist once the transcoder has decoded the first picture.
        try await relay.waitForLog("the rungs made", timeout: .seconds(20)) { $0.contains("transcoding") && $0.contains("rungs=") }
        #expect(publisher.isRunning, "publisher refused: \(publisher.stderr)")

        #expect(try await Self.size(of: relay.srtURL("srtladder_480p", mode: "request")) == "854,480")
        #expect(try await Self.size(of: relay.srtURL("srtladder_source", mode: "request")) == "1280,720")
        #expect(try await Self.size(of: relay.srtURL("srtladder_360p", mode: "request")) == "640,360")
        // The plain name starts on the rung that fits the site's 1000 kbit/s.
        #expect(try await Self.size(of: relay.srtURL("srtladder", mode: "request")) == "640,360")
        #expect(relay.child.stderr.contains("adaptive=true"), "\(relay.child.stderr.suffix(2000))")

        // Publishing to a rung is refused; the relay goes on.
        let (refusedCode, _, refusedErr) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2",
                "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", relay.srtURL("srtladder_360p", mode: "publish"),
            ], timeout: .seconds(20))
        #expect(refusedCode != 0, "publishing to a rung must be refused: \(refusedErr)")
        #expect(relay.child.stderr.contains("cannot publish to the 360p rendition"), "\(relay.child.stderr.suffix(2000))")
        #expect(await relay.stop() == 0)
    }

    /// The first watcher of a rung opens its encoders (audio comes out before the first
    /// picture): the player still starts on a whole keyframe and decodes without an error.
    @Test func theFirstWatcherOfARungGetsAWholeFirstKeyframe() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let publisher = try SRTTools.publish(to: relay.srtURL("firstwatch", mode: "publish"), seconds: 30, videoKbps: MediaTools.ladderKbps)
        defer { publisher.signal(SIGKILL) }
        try await relay.waitForLog("the rungs made", timeout: .seconds(20)) { $0.contains("transcoding") && $0.contains("rungs=") }
        #expect(publisher.isRunning, "publisher refused: \(publisher.stderr)")
        let dir = try makeTemporaryDirectory("firstwatch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try SRTTools.record(relay.srtURL("firstwatch_360p", mode: "request"), to: dir + "/a.ts", seconds: 6)
        await player.wait(timeout: .seconds(30))

        let packets = try await MediaTools.packets(of: dir + "/a.ts")
        let video = packets.filter(\.isVideo)
        #expect(video.first?.isKey == true, "starts on a keyframe")
        let gaps = MediaTools.dtsGaps(video)
        #expect((gaps.max() ?? 0) <= 200, "a gap of \(Int(gaps.max() ?? 0)) ms in the picture")
        #expect(video.count >= 100, "\(video.count) frames")
        let errors = try await MediaTools.decodeErrors(of: dir + "/a.ts")
        #expect(errors.isEmpty, "decode errors: \(errors.suffix(1500))")
        #expect(await relay.stop() == 0)
    }
}
