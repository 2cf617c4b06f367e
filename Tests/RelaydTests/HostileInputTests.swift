import Foundation
import NIOCore
import ProcessTestSupport
import RTMP
import Testing

/// Bad peers lose their own connection and nothing else.
@Suite(.serialized)
struct HostileInputTests {
    @Test func garbageMalformedChunksAndStalledHandshakesCloseOnlyThatConnection() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: "rtmp:\n  handshakeTimeoutSeconds: 2\n"))
        let url = relay.url("hostile")
        let publisher = try MediaTools.publish(to: url, seconds: 12)
        try await relay.waitForStreamsLive()

        // Not RTMP at all.
        let garbage = try RawRTMPClient(port: relay.rtmpPort)
        try garbage.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(garbage.isClosedByServer(within: 5))

        // A valid handshake, then chunk size 0.
        let badChunkSize = try RawRTMPClient(port: relay.rtmpPort)
        try badChunkSize.handshake()
        var control = ByteBuffer()
        var payload = ByteBuffer()
        payload.writeInteger(UInt32(0))
        RTMPChunkEncoder().encode(RTMPMessage(type: .setChunkSize, payload: payload), csid: 2, into: &control)
        try badChunkSize.send(control)
        #expect(badChunkSize.isClosedByServer(within: 5))

        // A valid handshake, then broken AMF in a command.
        let badAMF = try RawRTMPClient(port: relay.rtmpPort)
        try badAMF.handshake()
        var command = ByteBuffer()
        RTMPChunkEncoder().encode(
            RTMPMessage(type: .amf0Command, payload: ByteBuffer(bytes: [0x02, 0x00, 0x07, 0x63, 0x6F])), csid: 3, into: &command
        )
        try badAMF.send(command)
        #expect(badAMF.isClosedByServer(within: 5))

        // An unknown message type.
        let unknownType = try RawRTMPClient(port: relay.rtmpPort)
        try unknownType.handshake()
        var unknown = ByteBuffer()
        RTMPChunkEncoder().encode(
            RTMPMessage(typeID: 0x7F, streamID: 0, timestamp: 0, payload: ByteBuffer(bytes: [1, 2, 3])), csid: 3, into: &unknown)
        try unknownType.send(unknown)
        #expect(unknownType.isClosedByServer(within: 5))

        // Stops in the middle of the handshake: closed after the handshake timeout.
        let halfHandshake = try RawRTMPClient(port: relay.rtmpPort)
        try halfHandshake.send([3, 0, 0, 0])
        #expect(halfHandshake.isClosedByServer(within: 6))

        // The lesson still plays.
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url,
            ], timeout: .seconds(20))
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264"))
        #expect(relay.child.isRunning)
        let log = relay.child.stderr
        #expect(log.contains("bad handshake"))
        #expect(log.contains("invalid chunk size 0"))
        #expect(log.contains("unknown message type 127"))
        #expect(log.contains("handshake not completed in time"))
        publisher.signal(SIGTERM)
        #expect(await relay.stop() == 0)
    }
}
