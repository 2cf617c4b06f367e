import Foundation
import ProcessTestSupport
import Testing

/// SRT in and out with real clients: ffmpeg publishes and plays, srt-live-transmit plays, and
/// RTMP and SRT cross over in both directions.
@Suite(.serialized)
struct SRTRelayTests {
    @Test func srtPublishPlaysOverSRTAndRTMP() async throws {
        let relay = try await RelaydServer()
        let publisher = try SRTTools.publish(to: relay.srtURL("srtlesson", mode: "publish"), seconds: 14)
        try await relay.waitForStreamsLive()
        #expect(publisher.isRunning, "SRT publisher refused: \(publisher.stderr) \(relay.child.stderr)")

        // RTMP players see H.264 + AAC and decode it cleanly.
        let (probeCode, probeOut, probeErr) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", relay.url("srtlesson"),
            ], timeout: .seconds(20))
        #expect(probeCode == 0, "ffprobe over RTMP: \(probeErr)")
        #expect(probeOut.contains("h264,640,360"))
        #expect(probeOut.contains("aac"))

        // SRT players: ffmpeg decodes; srt-live-transmit records, concurrently.
        let dir = try makeTemporaryDirectory("srtplay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let transmit = try SRTTools.liveTransmit(relay.srtURL("srtlesson", mode: "request"), to: dir + "/slt.ts")
        let rtmpDecode = Task { try await MediaTools.decodeErrors(of: relay.url("srtlesson"), seconds: 3) }
        let (code, err) = try await SRTTools.decode(relay.srtURL("srtlesson", mode: "request"), seconds: 3)
        #expect(code == 0, "ffmpeg over SRT: \(err)")
        #expect(err.isEmpty, "decode errors over SRT: \(err)")
        let rtmpErrors = try await rtmpDecode.value
        #expect(rtmpErrors.isEmpty, "decode errors over RTMP: \(rtmpErrors)")
        // Not a condition: one more second of srt-live-transmit's recording, the length the checks below count.
        try await Task.sleep(for: .seconds(1))
        transmit.signal(SIGINT)
        await transmit.wait(timeout: .seconds(5))
        let packets = try await MediaTools.packets(of: dir + "/slt.ts")
        let video = packets.filter(\.isVideo)
        #expect(video.count >= 50, "srt-live-transmit got \(video.count) video packets: \(transmit.stderr)")
        #expect(video.first?.isKey == true, "an SRT player starts on a keyframe")
        #expect(packets.contains { !$0.isVideo })
        // SIGINT cuts the recording anywhere, often inside the last frame: that one is left out.
        let seconds = ((video.last?.dtsMillis ?? 0) - (video.first?.dtsMillis ?? 0)) / 1000 - 0.2
        let errors = try await MediaTools.decodeErrors(of: dir + "/slt.ts", seconds: seconds)
        #expect(errors.isEmpty, "srt-live-transmit's recording decodes with errors: \(errors)")

        publisher.signal(SIGINT)
        await publisher.wait(timeout: .seconds(10))
        #expect(await relay.stop() == 0)
        #expect(relay.child.stderr.contains("srt player closed"), "disconnects are logged with statistics")
        #expect(relay.child.stderr.contains("rtt="))
    }

    @Test func rtmpPublishPlaysOverSRT() async throws {
        let relay = try await RelaydServer()
        let publisher = try MediaTools.publish(to: relay.url("rtmplesson"), seconds: 12)
        try await relay.waitForStreamsLive()
        let dir = try makeTemporaryDirectory("rtmp2srt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two SRT players of the same stream share one muxer.
        let second = try SRTTools.record(relay.srtURL("rtmplesson_source", mode: "request"), to: dir + "/b.ts", seconds: 4)
        let recorder = try SRTTools.record(relay.srtURL("rtmplesson", mode: "request"), to: dir + "/a.ts", seconds: 4)
        #expect(await recorder.wait(timeout: .seconds(30)) == 0, "SRT player: \(recorder.stderr)")
        #expect(await second.wait(timeout: .seconds(30)) == 0, "second SRT player: \(second.stderr)")
        for file in ["a.ts", "b.ts"] {
            let video = try await MediaTools.packets(of: dir + "/" + file).filter(\.isVideo)
            #expect(video.count >= 75, "\(file): \(video.count) video packets")
            #expect(video.first?.isKey == true)
            let errors = try await MediaTools.decodeErrors(of: dir + "/" + file)
            #expect(errors.isEmpty, "\(file): \(errors)")
        }
        publisher.signal(SIGINT)
        await publisher.wait(timeout: .seconds(10))
        #expect(await relay.stop() == 0)
    }

    @Test func sigtermStopsWithinFiveSecondsWithSRTPeersAndABusyPortIsOneLine() async throws {
        let relay = try await RelaydServer()
        let publisher = try SRTTools.publish(to: relay.srtURL("closing", mode: "publish"), seconds: 30)
        try await relay.waitForStreamsLive()
        let dir = try makeTemporaryDirectory("srtstop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try SRTTools.record(relay.srtURL("closing", mode: "request"), to: dir + "/p.ts", seconds: 30)

        // A second relay on the same SRT port: one clear line, exit 1.
        try RelaydServer.openConfig().write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let (code, _, err) = try await runTool(
            RelaydServer.binaryPath,
            [
                "--config", dir + "/c.yaml", "--data-dir", dir + "/var", "--host", "127.0.0.1",
                "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0", "--srt-port", "\(relay.srtPort)",
            ], timeout: .seconds(15))
        #expect(code == 1)
        #expect(err.contains("relayd: cannot listen for srt on 127.0.0.1:\(relay.srtPort)"), "\(err)")

        try await relay.waitForPlayers(1)
        let start = ContinuousClock.now
        #expect(await relay.stop() == 0)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(relay.child.stderr.contains("relay shutting down"), "SRT peers are closed with the reason")
        #expect(await player.wait(timeout: .seconds(15)) != nil, "the SRT player is ended, not left hanging")
        #expect(await publisher.wait(timeout: .seconds(15)) != nil)
    }
}
