import NIOCore
import NIOEmbedded
import Testing

@testable import RTMP

/// The small message limit a server connection has until its publish is allowed.
@Suite struct RTMPMessageLimitTests {
    private func decoder(_ limit: RTMPMessageLimit) -> EmbeddedChannel {
        EmbeddedChannel(handler: ByteToMessageHandler(RTMPChunkDecoder(limit: limit)))
    }

    @Test func aMessageOverTheSmallLimitIsRefusedAtItsHeaderUntilRaised() throws {
        let header: [UInt8] = [0x06, 0, 0, 0, 0x01, 0x00, 0x01, 9, 1, 0, 0, 0]  // a 65 537-byte video message
        let limit = RTMPMessageLimit(afterAuthorization: 16 << 20)
        #expect(limit.current == 64 * 1024)
        let before = decoder(limit)
        #expect(throws: RTMPProtocolError.tooLargeBeforeAuthorization(65_537, limit: 65_536)) {
            try before.writeInbound(ByteBuffer(bytes: header))
        }
        limit.raise()
        #expect(limit.current == 16 << 20)
        let after = decoder(limit)
        try after.writeInbound(ByteBuffer(bytes: header))  // waits for the payload
        #expect(try after.readInbound(as: RTMPChunkDecoder.Output.self) == nil)
        _ = try? after.finish()
    }

    @Test func unfinishedMessagesTogetherCountAgainstTheSmallLimit() throws {
        // Two 40 000-byte messages on two chunk streams, their first 36 000 bytes each: 72 000 held.
        var bytes: [UInt8] = [0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0] + [0, 0, 0x8C, 0xA0]  // Set Chunk Size 36 000
        for csid: UInt8 in [6, 7] {
            bytes += [csid, 0, 0, 0, 0, 0x9C, 0x40, 9, 1, 0, 0, 0] + [UInt8](repeating: 0xAB, count: 36_000)
        }
        let channel = decoder(RTMPMessageLimit(afterAuthorization: 16 << 20))
        #expect(throws: RTMPProtocolError.tooLargeBeforeAuthorization(72_000, limit: 65_536)) {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
    }

    @Test func theLimitBeforeNeverExceedsTheOneAfter() {
        #expect(RTMPMessageLimit(beforeAuthorization: 1 << 20, afterAuthorization: 4096).current == 4096)
    }
}
