import NIOCore
import Testing

@testable import WebRTC

@Suite("PacketDemultiplexer")
struct PacketDemultiplexerTests {
    static func expected(first: UInt8, second: UInt8) -> DatagramKind {
        switch first {
        case 0...3: return .stun
        case 20...63: return .dtls
        case 128...191: return (192...223).contains(second) ? .rtcp : .rtp
        default: return .unknown
        }
    }

    @Test func everyFirstByteIsClassifiedByRFC7983() {
        let seconds: [UInt8] = [0, 1, 96, 111, 127, 128, 191, 192, 200, 201, 205, 206, 223, 224, 255]
        for first in UInt8.min...UInt8.max {
            for second in seconds {
                let datagram = ByteBuffer(bytes: [first, second, 0, 0])
                #expect(
                    PacketDemultiplexer.classify(datagram) == Self.expected(first: first, second: second),
                    "first \(first) second \(second)")
            }
        }
    }

    @Test func rangeBoundaries() {
        func kind(_ bytes: UInt8...) -> DatagramKind { PacketDemultiplexer.classify(ByteBuffer(bytes: bytes)) }
        #expect(kind(0, 1) == .stun)
        #expect(kind(3, 0) == .stun)
        #expect(kind(4, 0) == .unknown)
        #expect(kind(19, 0) == .unknown, "ZRTP")
        #expect(kind(20, 0) == .dtls, "ChangeCipherSpec")
        #expect(kind(22, 0xFE) == .dtls, "handshake")
        #expect(kind(63, 0) == .dtls)
        #expect(kind(64, 0) == .unknown, "TURN channel")
        #expect(kind(127, 0) == .unknown)
        #expect(kind(0x80, 0x60) == .rtp, "PT 96")
        #expect(kind(0x80, 0xE0) == .rtp, "marker + PT 96")
        #expect(kind(0x80, 0xBF) == .rtp)
        #expect(kind(0x80, 0xC0) == .rtcp, "192 FIR")
        #expect(kind(0x81, 0xC8) == .rtcp, "SR")
        #expect(kind(0x8F, 0xCE) == .rtcp, "PSFB")
        #expect(kind(0x80, 0xDF) == .rtcp)
        #expect(kind(191, 0xC9) == .rtcp)
        #expect(kind(192, 0xC9) == .unknown)
        #expect(kind(255, 0) == .unknown)
    }

    @Test func shortAndEmptyDatagrams() {
        #expect(PacketDemultiplexer.classify(ByteBuffer()) == .unknown)
        #expect(PacketDemultiplexer.classify(ByteBuffer(bytes: [0x80])) == .unknown, "RTP range needs a second byte")
        #expect(PacketDemultiplexer.classify(ByteBuffer(bytes: [0x00])) == .stun)
        #expect(PacketDemultiplexer.classify(ByteBuffer(bytes: [22])) == .dtls)
    }

    @Test func readsFromTheReaderIndexWithoutMovingIt() {
        var buffer = ByteBuffer(bytes: [0x80, 0xC8, 0x00, 0x01])
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(PacketDemultiplexer.classify(buffer) == .unknown, "0xC8 first")
        #expect(buffer.readerIndex == 1)
        #expect(PacketDemultiplexer.classify(ByteBuffer(bytes: RFC5769Vectors.request)) == .stun)
    }
}
