import NIOCore
import Testing

@testable import WebRTC

@Suite("OpusPacketizer")
struct OpusPacketizerTests {
    @Test("one Opus packet is one payload, the same bytes, marker clear")
    func onePacketOnePayload() {
        let packet = ByteBuffer(bytes: [0xFC, 1, 2, 3])
        let payload = OpusPacketizer().packetize(packet)
        #expect(payload == RTPPayload(bytes: packet, marker: false))
    }

    @Test("timestamps run at 48 kHz")
    func timestamps() {
        #expect(OpusPacketizer.clockRate == 48_000)
        #expect(OpusPacketizer.timestamp(milliseconds: 20) == 960)
        #expect(OpusPacketizer.timestamp(milliseconds: 1000) == 48_000)
        #expect(OpusPacketizer.timestamp(milliseconds: 89_478_486) == UInt32(truncatingIfNeeded: UInt64(89_478_486) * 48))
    }

    @Test("sample counts from the TOC byte")
    func sampleCounts() {
        func count(_ bytes: [UInt8]) -> Int? { OpusPacketizer.sampleCount(of: ByteBuffer(bytes: bytes)) }
        #expect(count([0xFC, 0]) == 960)  // config 31 CELT 20 ms, one frame
        #expect(count([0x78]) == 960)  // config 15 hybrid 20 ms
        #expect(count([0x18]) == 2880)  // config 3 SILK 60 ms
        #expect(count([0x81]) == 240)  // config 16 CELT 2.5 ms, two frames
        #expect(count([0xFB, 0x03]) == 2880)  // config 31, code 3 with 3 frames
        #expect(count([0x1B, 0x03]) == nil)  // 3 x 60 ms is over 120 ms
        #expect(count([0xFB, 0x00]) == nil)  // code 3 with zero frames
        #expect(count([0xFB]) == nil)
        #expect(count([]) == nil)
    }
}
