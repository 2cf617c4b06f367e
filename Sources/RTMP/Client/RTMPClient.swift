public import NIOCore

/// The client side of RTMP, shared by relayd's pulls from other nodes and the load generator.

/// Where to connect and what to ask for, from `rtmp://host[:port]/app/stream[?query]`.
public struct RTMPURL: Sendable {
    public let host: String
    public let port: Int
    public let app: String
    /// Stream name as sent in play/publish, query included.
    public let stream: String
    public var tcURL: String { "rtmp://\(host):\(port)/\(app)" }

    public init?(_ string: String) {
        guard string.hasPrefix("rtmp://") else { return nil }
        let rest = string.dropFirst("rtmp://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...]
        if let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = 1935
        }
        guard let appEnd = path.firstIndex(of: "/") else { return nil }
        app = String(path[..<appEnd])
        stream = String(path[path.index(after: appEnd)...])
        guard !host.isEmpty, !app.isEmpty, !stream.isEmpty else { return nil }
    }
}

/// Fired down the pipeline once the client handshake is over.
public struct RTMPHandshakeCompleted: Sendable {}

/// Client side of the simple RTMP handshake: C0+C1 out, S0+S1+S2 in, C2 (= S1) out. Bytes that
/// follow S2 in the same read are passed on to the chunk decoder.
public final class RTMPClientHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    public init() {}

    private var received: ByteBuffer?
    private var done = false

    public func channelActive(context: ChannelHandlerContext) {
        var c0c1 = context.channel.allocator.buffer(capacity: 1 + 1536)
        c0c1.writeInteger(UInt8(3))
        c0c1.writeInteger(UInt32(0))  // time
        c0c1.writeInteger(UInt32(0))  // zero: simple handshake
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<(1528 / 8) { c0c1.writeInteger(rng.next() as UInt64) }
        context.writeAndFlush(wrapOutboundOut(c0c1), promise: nil)
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if done {
            context.fireChannelRead(wrapInboundOut(incoming))
            return
        }
        if received == nil { received = incoming } else { received!.writeBuffer(&incoming) }
        guard var buffer = received, buffer.readableBytes >= 1 + 2 * 1536 else { return }
        received = nil
        done = true
        let version = buffer.readInteger(as: UInt8.self)!
        guard version == 3 else {
            context.fireErrorCaught(RTMPProtocolError.unsupportedVersion(version))
            return
        }
        let s1 = buffer.readSlice(length: 1536)!
        buffer.moveReaderIndex(forwardBy: 1536)  // S2
        context.writeAndFlush(wrapOutboundOut(s1), promise: nil)
        context.fireUserInboundEventTriggered(RTMPHandshakeCompleted())
        if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// What both the player and the publisher send: commands and control messages, chunked.
public struct RTMPClientWriter {
    public var encoder = RTMPChunkEncoder(chunkSize: 128)

    public init() {}

    public func command(_ values: [AMF0Value], streamID: UInt32 = 0, csid: UInt32 = 3, context: ChannelHandlerContext) {
        var payload = context.channel.allocator.buffer(capacity: 256)
        payload.writeAMF0(values)
        write(RTMPMessage(type: .amf0Command, streamID: streamID, payload: payload), csid: csid, context: context)
    }

    public func control(_ type: RTMPMessageType, _ value: UInt32, context: ChannelHandlerContext) {
        var payload = context.channel.allocator.buffer(capacity: 4)
        payload.writeInteger(value)
        write(RTMPMessage(type: type, payload: payload), csid: 2, context: context)
    }

    public func userControl(_ event: RTMPUserControlEvent, _ values: [UInt32], context: ChannelHandlerContext) {
        var payload = context.channel.allocator.buffer(capacity: 10)
        payload.writeInteger(event.rawValue)
        for value in values { payload.writeInteger(value) }
        write(RTMPMessage(type: .userControl, payload: payload), csid: 2, context: context)
    }

    public func write(_ message: RTMPMessage, csid: UInt32, context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: message.payload.readableBytes + 32)
        encoder.encode(message, csid: csid, into: &out)
        context.write(NIOAny(out), promise: nil)
    }
}

/// The answers every client needs: Acknowledgement when the server's window is reached, Ping
/// Response to a Ping Request. Returns true when the message was one of those.
public func answerControl(_ output: RTMPChunkDecoder.Output, writer: RTMPClientWriter, context: ChannelHandlerContext) -> RTMPMessage? {
    switch output {
    case .acknowledgement(let sequence):
        writer.control(.acknowledgement, sequence, context: context)
        context.flush()
        return nil
    case .message(let message):
        if message.type == .userControl,
            message.payload.getInteger(at: message.payload.readerIndex, as: UInt16.self) == RTMPUserControlEvent.pingRequest.rawValue,
            let stamp = message.payload.getInteger(at: message.payload.readerIndex + 2, as: UInt32.self)
        {
            writer.userControl(.pingResponse, [stamp], context: context)
            context.flush()
            return nil
        }
        return message
    }
}

/// The onStatus `code` (and level) of a command message, if it is one.
public func statusCode(_ command: RTMPCommand) -> (level: String, code: String)? {
    guard command.name == "onStatus", let info = command.arguments.first?.objectValue else { return nil }
    return (info["level"]?.stringValue ?? "", info["code"]?.stringValue ?? "")
}

extension RTMPClientWriter {
    /// The `connect` command a player or publisher sends first.
    public func connect(_ url: RTMPURL, flashVer: String, context: ChannelHandlerContext) {
        let object: AMF0Object = [
            "app": .string(url.app), "flashVer": .string(flashVer), "tcUrl": .string(url.tcURL),
            "fpad": .boolean(false), "capabilities": .number(15), "audioCodecs": .number(4071),
            "videoCodecs": .number(252), "videoFunction": .number(1),
        ]
        command([.string("connect"), .number(1), .object(object)], context: context)
        context.flush()
    }

    /// A player's next step after the server's `_result`: connect's (1) → createStream,
    /// createStream's (2) → play `stream` on the stream id it gave (returned). Nil for anything else.
    public func continuePlay(after command: RTMPCommand, stream: String, context: ChannelHandlerContext) -> UInt32? {
        switch (command.name, command.transactionID) {
        case ("_result", 1):
            control(.windowAcknowledgementSize, 2_500_000, context: context)
            self.command([.string("createStream"), .number(2), .null], context: context)
            context.flush()
            return 0
        case ("_result", 2):
            let streamID = UInt32(command.arguments.first?.numberValue ?? 1)
            self.command([.string("play"), .number(0), .null, .string(stream), .number(-1000)], streamID: streamID, csid: 8, context: context)
            userControl(.setBufferLength, [streamID, 3000], context: context)
            context.flush()
            return streamID
        default:
            return nil
        }
    }
}
