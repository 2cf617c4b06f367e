import NIOCore
import NIOEmbedded
import Testing

@testable import WebRTC

/// The media server's send buffers: a packet buffer handed to the socket is reused, in place,
/// once the socket has written it; one the socket still holds is never overwritten.
@Suite("WebRTC send buffers")
struct WebRTCRoutesTests {
    static func storage(of buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func aWrittenPacketBufferIsReusedWithoutAllocating() throws {
        let channel = EmbeddedChannel()
        let routes = WebRTCRoutes()
        routes.udp = channel
        let viewer = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)

        // A whole pool's worth of packets, each written, then the socket takes them all.
        var first: [UnsafeRawPointer?] = []
        for index in 0..<1024 {
            var packet = routes.packetBuffer(capacity: 1400)
            packet.writeInteger(UInt32(index))
            first.append(Self.storage(of: packet))
            routes.send(packet, to: viewer)
        }
        routes.flush()
        while try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) != nil {}

        // The next round writes into the same storage: no new buffers.
        var reused = 0
        for index in 0..<1024 {
            var packet = routes.packetBuffer(capacity: 1400)
            packet.writeInteger(UInt32(index + 10_000))
            if Self.storage(of: packet) == first[index] { reused += 1 }
            routes.send(packet, to: viewer)
        }
        #expect(reused == 1024)
        routes.flush()

        // A buffer the socket still holds is copied on write: what was sent stays intact.
        let held = try #require(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        for _ in 0..<1024 {
            var packet = routes.packetBuffer(capacity: 1400)
            packet.writeInteger(UInt32(0xDEAD_BEEF))
            routes.send(packet, to: viewer)
        }
        #expect(held.data.getInteger(at: held.data.readerIndex, as: UInt32.self) == 10_000)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
