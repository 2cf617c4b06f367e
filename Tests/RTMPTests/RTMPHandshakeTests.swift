import Logging
import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RTMP

@Suite("RTMPHandshake")
struct RTMPHandshakeTests {
    static func c1() -> [UInt8] {
        var rng = SeededGenerator(seed: 11)
        return [0x00, 0x00, 0x12, 0x34, 0, 0, 0, 0] + rng.bytes(1536 - 8)
    }

    @Test(arguments: [UInt8(0), 6, 0x16, 0x47, 0xFF])
    func wrongVersionIsRefusedAtTheFirstByte(_ c0: UInt8) {
        var handshake = RTMPHandshake()
        var buffer = ByteBuffer(bytes: [c0])
        #expect(throws: RTMPProtocolError.unsupportedVersion(c0)) { try handshake.feed(&buffer) }
    }

    @Test func emptyInputNeedsMore() throws {
        var handshake = RTMPHandshake()
        var buffer = ByteBuffer()
        guard case .needMoreData = try handshake.feed(&buffer) else {
            Issue.record("expected needMoreData")
            return
        }
    }

    @Test func fullHandshakeInPieces() throws {
        var handshake = RTMPHandshake(serverEpoch: 0x0A0B_0C0D)
        let c1 = Self.c1()
        let c2 = Array(repeating: UInt8(0x5A), count: 1536)
        let all: [UInt8] = [3] + c1
        var buffer = ByteBuffer()
        var reply: ByteBuffer?
        // C0 + C1 a few bytes at a time.
        var offset = 0
        while offset < all.count {
            let n = min(100, all.count - offset)
            buffer.writeBytes(all[offset..<(offset + n)])
            offset += n
            switch try handshake.feed(&buffer) {
            case .needMoreData: #expect(offset < all.count)
            case .reply(let r): reply = r
            case .complete: Issue.record("completed early")
            }
        }
        let r = try #require(reply)
        #expect(handshake.state == .awaitingC2)
        #expect(buffer.readableBytes == 0)
        #expect(r.readableBytes == 3073)
        let s = Array(r.readableBytesView)
        #expect(s[0] == 3)
        #expect(Array(s[1..<5]) == [0x0A, 0x0B, 0x0C, 0x0D], "S1 time")
        #expect(Array(s[5..<9]) == [0, 0, 0, 0], "S1 zero field")
        #expect(Array(s[1537..<1541]) == Array(c1[0..<4]), "S2 echoes C1's time")
        #expect(Array(s[1541..<1545]) == [0x0A, 0x0B, 0x0C, 0x0D])
        #expect(Array(s[1545..<3073]) == Array(c1[8...]), "S2 echoes C1's random bytes")

        // C2 in two pieces, followed by chunk data.
        buffer.writeBytes(c2[..<1000])
        guard case .needMoreData = try handshake.feed(&buffer) else {
            Issue.record("expected needMoreData")
            return
        }
        buffer.writeBytes(c2[1000...])
        buffer.writeBytes([0x03, 0xAA, 0xBB])
        guard case .complete = try handshake.feed(&buffer) else {
            Issue.record("expected complete")
            return
        }
        #expect(handshake.state == .done)
        #expect(Array(buffer.readableBytesView) == [0x03, 0xAA, 0xBB], "leftover bytes remain")
        guard case .complete = try handshake.feed(&buffer) else {
            Issue.record("expected complete")
            return
        }
        #expect(buffer.readableBytes == 3)
    }

    @Test func s1RandomBytesDiffer() throws {
        var a = RTMPHandshake(), b = RTMPHandshake()
        var ba = ByteBuffer(bytes: [3] + Self.c1()), bb = ByteBuffer(bytes: [3] + Self.c1())
        guard case .reply(let ra) = try a.feed(&ba), case .reply(let rb) = try b.feed(&bb) else {
            Issue.record("expected replies")
            return
        }
        #expect(ra.getBytes(at: 9, length: 1528) != rb.getBytes(at: 9, length: 1528))
    }

    @Test func handlerRepliesPassesLeftoversAndRemovesItself() throws {
        let handler = RTMPHandshakeHandler(timeout: .seconds(10), logger: Logger(label: "test"))
        let channel = EmbeddedChannel(handler: handler)
        defer { _ = try? channel.finish() }
        let c1 = Self.c1()
        try channel.writeInbound(ByteBuffer(bytes: [3] + c1[..<700]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ByteBuffer(bytes: c1[700...]))
        let reply = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(reply.readableBytes == 3073)
        try channel.writeInbound(ByteBuffer(bytes: Array(repeating: 0, count: 1536) + [0x42, 0x43]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x42, 0x43]))
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: RTMPHandshakeHandler.self) }
    }

    @Test func handlerClosesOnBadVersion() throws {
        let channel = EmbeddedChannel(handler: RTMPHandshakeHandler(logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1935)).wait()
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01]))  // a TLS ClientHello
        #expect(!channel.isActive)
    }

    @Test func handlerClosesWhenTheHandshakeTimesOut() throws {
        let channel = EmbeddedChannel(handler: RTMPHandshakeHandler(timeout: .seconds(5), logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1935)).wait()
        try channel.writeInbound(ByteBuffer(bytes: [3, 0, 0]))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}
