import Foundation
import ProcessTestSupport
import Testing

/// Many players of one lesson, one of them stalled on purpose.
@Suite(.serialized)
struct FanOutTests {
    @Test func fiftyPlayersReceiveTheWholeStreamDespiteAStalledOne() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(graceSeconds: 1))
        let url = relay.url("fanout")
        let dir = try makeTemporaryDirectory("fanout")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // A player that plays and never reads, with a tiny receive buffer.
        let stalled = try RawRTMPClient(port: relay.rtmpPort, receiveBuffer: 2048)
        try stalled.handshake()
        try stalled.play(app: "live", stream: "fanout")

        // 50 rtmpdump players, all waiting before the publisher starts.
        var players: [ChildProcess] = []
        for i in 0..<50 {
            players.append(try ChildProcess("rtmpdump", ["--live", "-q", "-r", url, "-o", "\(dir)/p\(i).flv"]))
        }
        try await relay.waitForPlayers(51)
        let publisher = try MediaTools.publish(to: url, seconds: 6, size: "1280x720")
        #expect(await publisher.wait(timeout: .seconds(30)) == 0, "publisher: \(publisher.stderr)")
        for player in players { await player.wait(timeout: .seconds(20)) }

        var counts: [Int] = []
        for i in 0..<50 {
            let packets = try await MediaTools.packets(of: "\(dir)/p\(i).flv")
            let video = packets.filter(\.isVideo)
            #expect(video.first?.isKey == true, "player \(i) must start on a keyframe")
            counts.append(video.count)
        }
        // Every player got every frame the publisher sent (6 s at 25 fps).
        #expect(counts.allSatisfy { $0 >= 148 }, "video frames per player: \(counts)")
        #expect(Set(counts).count == 1, "all players received the same frames: \(counts)")
        // The stalled player stays connected (not read) for the whole test.
        withExtendedLifetime(stalled) {}
        #expect(await relay.stop() == 0)
    }
}
