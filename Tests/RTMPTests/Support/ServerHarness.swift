import Logging
import NIOCore
import NIOEmbedded
import ProcessTestSupport
import RelayCore
import RelayTestSupport

@testable import RTMP

/// One parsed outbound message (the relay writes each message as one buffer).
struct SentMessage {
    var csid: UInt32
    var typeID: UInt8
    var streamID: UInt32
    var timestamp: UInt32
    var payload: ByteBuffer

    var values: [AMF0Value] {
        var p = payload
        return (try? p.readAMF0Values()) ?? []
    }

    var commandName: String? { values.first?.stringValue }
    var statusCode: String? {
        guard commandName == "onStatus", values.count >= 4 else { return nil }
        return values[3].objectValue?["code"]?.stringValue
    }

    /// Parses every message in `buffer` (type-0 chunks, one chunk each unless `chunkSize` says otherwise).
    static func parse(_ buffer: ByteBuffer, chunkSize: Int) -> [SentMessage]? {
        // Parsed here rather than with RTMPChunkDecoder, which applies (and swallows) control messages.
        var out: [SentMessage] = []
        var view = buffer
        while view.readableBytes > 0 {
            guard let first = view.readInteger(as: UInt8.self), first >> 6 == 0 else { return nil }
            let csid = UInt32(first & 0x3F)
            guard csid >= 2, view.readableBytes >= 11 else { return nil }
            let ts = view.readUInt24()
            let length = Int(view.readUInt24())
            let type = view.readInteger(as: UInt8.self)!
            let sid = view.readInteger(endianness: .little, as: UInt32.self)!
            var payload = ByteBuffer()
            var remaining = length
            var firstChunk = true
            while remaining > 0 || firstChunk {
                if !firstChunk {
                    guard view.readInteger(as: UInt8.self) == 0xC0 | UInt8(csid) else { return nil }
                }
                firstChunk = false
                let n = min(remaining, chunkSize)
                guard var slice = view.readSlice(length: n) else { return nil }
                payload.writeBuffer(&slice)
                remaining -= n
            }
            out.append(SentMessage(csid: csid, typeID: type, streamID: sid, timestamp: ts, payload: payload))
        }
        return out
    }
}

/// A server connection in an NIOAsyncTestingChannel, with the client side's helpers.
struct ServerHarness {
    let channel: NIOAsyncTestingChannel
    let registry: StreamRegistry

    static func c1() -> [UInt8] {
        var rng = SeededGenerator(seed: 99)
        return [0, 0, 0, 1, 0, 0, 0, 0] + rng.bytes(1536 - 8)
    }

    static func make(loop: NIOAsyncTestingEventLoop = NIOAsyncTestingEventLoop(), registry: StreamRegistry? = nil) async throws -> ServerHarness {
        let channel = NIOAsyncTestingChannel(loop: loop)
        let registry = registry ?? StreamRegistry(configuration: .init(publisherGrace: .milliseconds(50)), timerLoop: loop)
        let context = RTMPSessionContext(
            configuration: RTMPSessionConfiguration(), registry: registry,
            flushSchedulers: FlushSchedulerPool(interval: .zero), accessPolicy: OpenAccessPolicy(),
            logger: Logger(label: "test")
        )
        try await loop.executeInContext { try RTMPServer.configure(channel, session: context) }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000))
        return ServerHarness(channel: channel, registry: registry)
    }

    /// Runs the handshake; returns S0+S1+S2.
    func handshake() async throws -> ByteBuffer {
        try await channel.writeInbound(ByteBuffer(bytes: [3] + Self.c1()))
        let reply = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        try await channel.writeInbound(ByteBuffer(repeating: 0, count: 1536))
        return reply
    }

    static func command(_ values: [AMF0Value], streamID: UInt32 = 0, csid: UInt32 = 3) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeAMF0(values)
        return Chunks.encode(RTMPMessage(type: .amf0Command, streamID: streamID, payload: payload), csid: csid)
    }

    static func connect(app: String = "live", tx: Double = 1) -> ByteBuffer {
        command([.string("connect"), .number(tx), .object(["app": .string(app), "tcUrl": .string("rtmp://h/\(app)")])])
    }

    /// Handshake, connect, then `play` of `stream` on message stream 1.
    func play(_ stream: String) async throws {
        _ = try await handshake()
        var input = Self.connect()
        var play = Self.command([.string("play"), .number(2), .null, .string(stream)], streamID: 1, csid: 8)
        input.writeBuffer(&play)
        try await send(input)
    }

    func send(_ buffer: ByteBuffer) async throws {
        try await channel.writeInbound(buffer)
    }

    /// Collects outbound writes until `done` holds for the parsed messages, or 4 s pass.
    func collect(chunkSize: Int = 60_000, until done: ([SentMessage]) -> Bool) async throws -> [SentMessage] {
        var all = ByteBuffer()
        let (parsed, _) = try await waitUntil(timeout: .seconds(4), every: .milliseconds(10)) {
            while var b = try await channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&b) }
            let parsed = SentMessage.parse(all, chunkSize: chunkSize)
            let isDone = parsed.map(done) == true
            if !isDone { await channel.testingEventLoop.run() }  // the loop's turn, as long as more is awaited
            return (parsed, isDone)
        } until: {
            $0.1
        }
        return parsed ?? []
    }
}
