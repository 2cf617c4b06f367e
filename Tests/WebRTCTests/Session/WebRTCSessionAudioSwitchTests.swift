import NIOCore
import RelayCore
import Testing

@testable import WebRTC

/// A viewer's sound moving to another feed (its class's stage changed: the source's Opus, the
/// program's, a site's mix-minus): the feeds' timelines differ, the viewer's does not jump.
@Suite("WebRTC session audio switch")
struct WebRTCSessionAudioSwitchTests {
    static func opus(timestamp: UInt32) -> RTPFrame {
        RTPFrame(
            track: .audio, payloads: [RTPPayload(bytes: ByteBuffer(bytes: [0xF8, 0xFF, 0xFE]), marker: false)], timestamp: timestamp,
            isKeyframe: false)
    }

    /// The viewer's (sequence, timestamp) of every audio packet sent since the last call.
    static func sent(_ output: DatagramCollector, _ viewer: WebRTCSessionTests.Viewer) throws -> [(UInt16, UInt32)] {
        try output.take().map { datagram in
            var packet = datagram
            try viewer.srtp!.unprotectRTP(&packet)
            let header = try RTPPacket.parse(packet).header
            return (header.sequenceNumber, header.timestamp)
        }
    }

    @Test func aFeedBehindOrFarAheadIsReanchoredOneNearAheadKeepsItsSpacing() throws {
        let now = NIODeadline.now()
        let output = DatagramCollector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        let viewer = try WebRTCSessionTests.connect(session, output: output, now: now)
        _ = output.take()
        for stamp: UInt32 in [96_000, 96_960] { session.send(Self.opus(timestamp: stamp), now: now, output: output) }

        // The new feed's clock is behind: its first frame follows the last one sent, 20 ms on.
        let behind = Self.opus(timestamp: 5_000)
        session.switchAudio(to: behind)
        session.send(behind, now: now, output: output)
        session.send(Self.opus(timestamp: 5_960), now: now, output: output)
        // Far ahead (over a second): the same.
        let ahead = Self.opus(timestamp: 900_000)
        session.switchAudio(to: ahead)
        session.send(ahead, now: now, output: output)
        // Near ahead (40 ms): the feeds' clocks agree; the gap is kept.
        let near = Self.opus(timestamp: 900_000 + 960 + 1_920)
        session.switchAudio(to: near)
        session.send(near, now: now, output: output)

        let packets = try Self.sent(output, viewer)
        #expect(packets.count == 6)
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.0 == $0.0 &+ 1 }, "sequence numbers continue")
        #expect(zip(packets, packets.dropFirst()).map { $1.1 &- $0.1 } == [960, 960, 960, 960, 2_880])
    }
}
