import Foundation
import ProcessTestSupport
import Testing

/// ffmpeg publishes; ffprobe, ffmpeg and rtmpdump play, as teaching sites would.
@Suite(.serialized)
struct PlaybackTests {
    @Test func realPlayersReceiveAPublishedLesson() async throws {
        let relay = try await RelaydServer()
        let url = relay.url("lesson1")
        let publisher = try MediaTools.publish(to: url, seconds: 10)
        try await relay.waitForStreamsLive()

        // ffprobe sees both streams.
        let (probeCode, probeOut, probeErr) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url,
            ], timeout: .seconds(20))
        #expect(probeCode == 0, "ffprobe: \(probeErr)")
        #expect(probeOut.contains("h264,640,360"))
        #expect(probeOut.contains("aac"))

        // ffmpeg decodes it without errors.
        let (decodeCode, _, decodeErr) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-v", "error", "-i", url, "-t", "3", "-f", "null", "-",
            ], timeout: .seconds(20))
        #expect(decodeCode == 0)
        #expect(decodeErr.isEmpty, "decode errors: \(decodeErr)")

        // rtmpdump (librtmp) records it; the file starts on a keyframe with rising timestamps.
        let dir = try makeTemporaryDirectory("play")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/rtmpdump.flv"
        // (--stop counts absolute stream time, which a mid-stream player does not start at: stop it by signal.)
        let dump = try ChildProcess("rtmpdump", ["--live", "-q", "-r", url, "-o", file])
        // Not a condition: the length of the recording (about 4 s of the lesson) the checks below count.
        try await Task.sleep(for: .seconds(4))
        dump.signal(SIGINT)
        await dump.wait(timeout: .seconds(10))
        let dumpErr = dump.stderr
        let packets = try await MediaTools.packets(of: file)
        let video = packets.filter(\.isVideo)
        #expect(video.count >= 40, "rtmpdump got \(video.count) video packets: \(dumpErr)")
        #expect(video.first?.isKey == true, "first video packet must be a keyframe")
        #expect(zip(video, video.dropFirst()).allSatisfy { $0.dtsMillis < $1.dtsMillis }, "video timestamps must increase")
        #expect(packets.contains { !$0.isVideo }, "audio must arrive too")
        // rtmpdump --stop may cut its last tag short: decode all but the tail.
        let errors = try await MediaTools.decodeErrors(of: file, seconds: 2.5)
        #expect(errors.isEmpty, "rtmpdump's recording decodes with errors: \(errors)")

        await publisher.wait(timeout: .seconds(15))
        #expect(await relay.stop() == 0)
    }

    @Test func aPlayerThatJoinsBeforeThePublisherStartsOnAKeyframe() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(graceSeconds: 1))
        let url = relay.url("early")
        let dir = try makeTemporaryDirectory("early")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try MediaTools.record(url, to: dir + "/early.flv")
        try await relay.waitForPlayers(1)
        let publisher = try MediaTools.publish(to: url, seconds: 4)
        await publisher.wait(timeout: .seconds(15))
        // The publisher ended; after the grace period the player is told the stream ended.
        let code = await player.wait(timeout: .seconds(15))
        #expect(code != nil, "player should end after the grace period")
        let video = try await MediaTools.packets(of: dir + "/early.flv").filter(\.isVideo)
        #expect(video.first?.isKey == true)
        #expect(video.count >= 95, "a player waiting from the start gets the whole lesson (\(video.count) of 100 frames)")
        #expect(await relay.stop() == 0)
    }
}
