import NIOCore
import NIOEmbedded
import ProcessTestSupport
import RelayTestSupport
import Testing

@testable import RTMP
@testable import RelayCore

@Suite("RTMP server pipeline (NIOAsyncTestingChannel)")
struct RTMPServerPipelineTests {
    @Test func publishSessionGetsTheExpectedReplies() async throws {
        let server = try await ServerHarness.make()
        let reply = try await server.handshake()
        #expect(reply.readableBytes == 3073)
        #expect(reply.getInteger(at: 0, as: UInt8.self) == 3)

        var input = ServerHarness.connect()
        var more = ServerHarness.command([.string("releaseStream"), .number(2), .null, .string("room")])
        input.writeBuffer(&more)
        more = ServerHarness.command([.string("createStream"), .number(3), .null])
        input.writeBuffer(&more)
        more = ServerHarness.command([.string("publish"), .number(4), .null, .string("room?key=k"), .string("live")], streamID: 1, csid: 4)
        input.writeBuffer(&more)
        try await server.send(input)

        let sent = try await server.collect { $0.contains { $0.statusCode == "NetStream.Publish.Start" } }

        let control = sent.prefix(3)
        #expect(control.map(\.typeID) == [5, 6, 1], "Window Ack Size, Set Peer Bandwidth, Set Chunk Size")
        #expect(control.map(\.csid) == [2, 2, 2])
        #expect(control.first?.payload.getInteger(at: 0, as: UInt32.self) == 5_000_000)
        #expect(control.dropFirst().first.map { Array($0.payload.readableBytesView) } == [0x00, 0x4C, 0x4B, 0x40, 0x02])
        #expect(control.last?.payload.getInteger(at: 0, as: UInt32.self) == 60_000)

        let results = sent.filter { $0.commandName == "_result" }
        #expect(results.count == 3)
        let connect = try #require(results.first?.values)
        #expect(connect[1] == .number(1))
        #expect(connect.count == 4)
        #expect(connect[3].objectValue?["code"] == .string("NetConnection.Connect.Success"))
        #expect(results[1].values[1] == .number(2), "releaseStream answered")
        #expect(results[2].values[1] == .number(3))
        #expect(results[2].values.last == .number(1), "createStream gives stream id 1")

        let status = try #require(sent.first { $0.statusCode != nil })
        #expect(status.statusCode == "NetStream.Publish.Start")
        #expect(status.streamID == 1)
        #expect(sent.contains { $0.typeID == 4 && $0.payload.getInteger(at: 0, as: UInt16.self) == 0 }, "Stream Begin")

        let stream = try #require(server.registry.stream(StreamKey(app: "live", name: "room")))
        #expect(stream.isPublished)
        _ = try? await server.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func mediaSentBeforeAuthorizationIsKeptAndPublished() async throws {
        let server = try await ServerHarness.make()
        _ = try await server.handshake()
        var input = ServerHarness.connect()
        var publish = ServerHarness.command([.string("publish"), .number(2), .null, .string("room")], streamID: 1, csid: 4)
        input.writeBuffer(&publish)
        // OBS-style: media right behind the publish command.
        let header = ByteBuffer(bytes: [0x17, 0x00, 0, 0, 0, 1, 0x64])
        let key = ByteBuffer(bytes: [0x17, 0x01, 0, 0, 0] + Array(repeating: 0x65, count: 300))
        var m = Chunks.encode(RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: header), csid: 6)
        input.writeBuffer(&m)
        m = Chunks.encode(RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: key), csid: 6)
        input.writeBuffer(&m)
        try await server.send(input)
        _ = try await server.collect { $0.contains { $0.statusCode == "NetStream.Publish.Start" } }

        let stream = try #require(server.registry.stream(StreamKey(app: "live", name: "room")))
        #expect(stream.inputCounters.messages == 2)
        #expect(stream.sequenceHeaders.video?.payload.readableBytes == header.readableBytes)
        _ = try? await server.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func playerReceivesStatusThenConfigAndGOP() async throws {
        let loop = NIOAsyncTestingEventLoop()
        let registry = StreamRegistry(
            configuration: .init(publisherGrace: .milliseconds(50)), timerLoop: loop,
            framer: { [framer = RTMPSegmentFramer(chunkSize: 60_000)] in framer.frame(&$0) }
        )
        let publisher = registry.attachPublisher(FakePublisher(), to: StreamKey(app: "live", name: "room"))
        publisher.publish(TestMedia.videoHeader(ts: 0))
        publisher.publish(TestMedia.keyframe(ts: 40, size: 500))
        publisher.publish(TestMedia.interframe(ts: 80, size: 50))

        let player = try await ServerHarness.make(loop: loop, registry: registry)
        try await player.play("room")
        let sent = try await player.collect { $0.filter { $0.typeID == 9 }.count >= 3 }

        let statuses = sent.compactMap(\.statusCode)
        #expect(statuses == ["NetStream.Play.Reset", "NetStream.Play.Start"])
        #expect(sent.contains { $0.typeID == 18 && $0.values.first == .string("|RtmpSampleAccess") })
        let video = sent.filter { $0.typeID == 9 }
        #expect(video.map(\.timestamp) == [0, 40, 80])
        #expect(video.map(\.csid) == [6, 6, 6])
        #expect(video.map(\.streamID) == [1, 1, 1])
        #expect(video.map(\.payload.readableBytes) == [9, 500, 50])
        _ = try? await player.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func garbageAfterHandshakeClosesTheConnection() async throws {
        let server = try await ServerHarness.make()
        _ = try await server.handshake()
        try? await server.send(ByteBuffer(bytes: [0x03, 0, 0, 0, 0, 0, 1, 0x7F, 0, 0, 0, 0, 0]))
        try await waitUntil(timeout: .seconds(2), every: .milliseconds(10)) {
            let active = server.channel.isActive
            if active { await server.channel.testingEventLoop.run() }
            return active
        } until: {
            !$0
        }
        #expect(!server.channel.isActive)
    }

    @Test func publishWithoutConnectClosesTheConnection() async throws {
        let server = try await ServerHarness.make()
        _ = try await server.handshake()
        try await server.send(ServerHarness.command([.string("publish"), .number(1), .null, .string("room")]))
        await server.channel.testingEventLoop.run()
        #expect(!server.channel.isActive)
        #expect(server.registry.stream(StreamKey(app: "live", name: "room")) == nil)
    }
}
