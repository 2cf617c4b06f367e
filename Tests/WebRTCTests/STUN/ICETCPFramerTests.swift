import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("ICETCPFramer")
struct ICETCPFramerTests {
    static func packets(_ sizes: [Int]) -> [[UInt8]] {
        var generator = SeededGenerator(seed: UInt64(sizes.count))
        return sizes.map { generator.bytes($0) }
    }

    static func framed(_ packets: [[UInt8]]) throws -> [UInt8] {
        var out = ByteBuffer()
        for p in packets { try ICETCPFramer.frame(ByteBuffer(bytes: p), into: &out) }
        return Array(out.readableBytesView)
    }

    @Test func writerPrependsTheLength() throws {
        #expect(try Self.framed([[1, 2, 3]]) == [0, 3, 1, 2, 3])
        let big = [UInt8](repeating: 7, count: 0x1234)
        #expect(try Self.framed([big]).prefix(2) == [0x12, 0x34])
        #expect(throws: ICETCPFramingError.emptyPacket) { try Self.framed([[]]) }
        #expect(throws: ICETCPFramingError.packetTooLarge(length: 65536, limit: 65535)) {
            try Self.framed([[UInt8](repeating: 0, count: 65536)])
        }
    }

    @Test func packetsSplitByteByByteComeOutWhole() throws {
        let packets = Self.packets([1, 20, 108, 1200, 2048, 2])
        let framer = ICETCPFramer()
        var pending = ByteBuffer()
        var out: [[UInt8]] = []
        for byte in try Self.framed(packets) {
            pending.writeInteger(byte)
            while let packet = try framer.nextPacket(from: &pending) {
                out.append(Array(packet.readableBytesView))
            }
        }
        #expect(out == packets)
        #expect(pending.readableBytes == 0)
    }

    @Test func channelDecoderByteByByte() throws {
        let packets = Self.packets([108, 1, 1500, 80])
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(ICETCPFramer()))
        var out: [[UInt8]] = []
        for byte in try Self.framed(packets) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            while let packet = try channel.readInbound(as: ByteBuffer.self) {
                out.append(Array(packet.readableBytesView))
            }
        }
        #expect(out == packets)
        #expect(try channel.finish().isClean)
    }

    @Test func severalPacketsInOneRead() throws {
        let packets = Self.packets([4, 5, 6, 7, 300])
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(ICETCPFramer()))
        try channel.writeInbound(ByteBuffer(bytes: try Self.framed(packets)))
        var out: [[UInt8]] = []
        while let packet = try channel.readInbound(as: ByteBuffer.self) {
            out.append(Array(packet.readableBytesView))
        }
        #expect(out == packets)
        #expect(try channel.finish().isClean)
    }

    @Test func everySplitOfTwoPackets() throws {
        let packets = Self.packets([9, 13])
        let stream = try Self.framed(packets)
        for split in 0...stream.count {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(ICETCPFramer()))
            try channel.writeInbound(ByteBuffer(bytes: stream[0..<split]))
            try channel.writeInbound(ByteBuffer(bytes: stream[split...]))
            var out: [[UInt8]] = []
            while let packet = try channel.readInbound(as: ByteBuffer.self) {
                out.append(Array(packet.readableBytesView))
            }
            #expect(out == packets, "split at \(split)")
            _ = try channel.finish()
        }
    }

    @Test func zeroAndOversizeLengthsAreRefusedAsSoonAsThePrefixArrives() throws {
        let framer = ICETCPFramer()
        var zero = ByteBuffer(bytes: [0, 0])
        #expect(throws: ICETCPFramingError.emptyPacket) { try framer.nextPacket(from: &zero) }
        var oversize = ByteBuffer(bytes: [0x08, 0x01])
        #expect(throws: ICETCPFramingError.packetTooLarge(length: 2049, limit: 2048)) { try framer.nextPacket(from: &oversize) }
        var huge = ByteBuffer(bytes: [0xFF, 0xFF, 1, 2, 3])
        #expect(throws: ICETCPFramingError.packetTooLarge(length: 65535, limit: 2048)) { try framer.nextPacket(from: &huge) }
        var oneByte = ByteBuffer(bytes: [0x08])
        #expect(try framer.nextPacket(from: &oneByte) == nil)
        #expect(oneByte.readableBytes == 1, "nothing consumed")

        let exactly = try Self.framed(Self.packets([2048]))
        var limit = ByteBuffer(bytes: exactly)
        #expect(try framer.nextPacket(from: &limit)?.readableBytes == 2048)

        let small = ICETCPFramer(maxPacketLength: 100)
        var over = ByteBuffer(bytes: [0, 101])
        #expect(throws: ICETCPFramingError.packetTooLarge(length: 101, limit: 100)) { try small.nextPacket(from: &over) }
    }

    @Test func channelDecoderFailsOnOversize() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(ICETCPFramer()))
        try channel.writeInbound(ByteBuffer(bytes: try Self.framed([[1, 2, 3]])))
        #expect(throws: ICETCPFramingError.packetTooLarge(length: 0x9000, limit: 2048)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x90, 0x00, 1, 2]))
        }
        #expect(try channel.readInbound(as: ByteBuffer.self).map { Array($0.readableBytesView) } == [1, 2, 3])
        _ = try? channel.finish()
    }

    @Test func channelEncoderFrames() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(ICETCPFrameEncoder()))
        try channel.writeOutbound(ByteBuffer(bytes: [9, 8, 7]))
        let wire = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(wire.readableBytesView) == [0, 3, 9, 8, 7])
        #expect(try channel.finish().isClean)
    }
}
