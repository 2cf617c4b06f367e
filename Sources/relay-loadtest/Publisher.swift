import NIOConcurrencyHelpers
import NIOCore
import RTMP

/// Publishes an FLV file at real time as ffmpeg -re would (connect, releaseStream, FCPublish,
/// createStream, publish; media once NetStream.Publish.Start arrives), looping it with
/// increasing timestamps, and logs each message's send instant.
final class PublisherHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = RTMPChunkDecoder.Output
    typealias OutboundOut = ByteBuffer

    let url: RTMPURL
    let file: FLVFile
    let sendLog: SendLog
    let started: EventLoopPromise<Void>
    private var writer = RTMPClientWriter()
    private var streamID: UInt32 = 1
    private var index = 0
    private var loop: UInt32 = 0
    private var startInstant: UInt64 = 0
    private var firstTimestamp: UInt32 = 0
    private var task: Scheduled<Void>?
    private var publishing = false
    var stopping = false
    private(set) var messagesSent = 0
    private(set) var bytesSent = 0
    private(set) var failure: String?
    private(set) var disconnected = false
    static let outChunkSize: UInt32 = 60_000

    init(url: RTMPURL, file: FLVFile, sendLog: SendLog, started: EventLoopPromise<Void>) {
        self.url = url
        self.file = file
        self.sendLog = sendLog
        self.started = started
        firstTimestamp = file.tags.first { !$0.isScript }?.timestamp ?? 0
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RTMPHandshakeCompleted else { return context.fireUserInboundEventTriggered(event) }
        writer.control(.setChunkSize, Self.outChunkSize, context: context)
        writer.encoder.chunkSize = Int(Self.outChunkSize)
        let connect: AMF0Object = [
            "app": .string(url.app), "type": .string("nonprivate"), "flashVer": .string("FMLE/3.0 (compatible; relay-loadtest)"),
            "tcUrl": .string(url.tcURL),
        ]
        writer.command([.string("connect"), .number(1), .object(connect)], context: context)
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        if !stopping { disconnected = true }
        if !publishing {
            started.fail(LoadTestError("publisher connection closed before NetStream.Publish.Start \(failure ?? "")"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = "\(error)" }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let message = answerControl(unwrapInboundIn(data), writer: writer, context: context),
            message.type == .amf0Command
        else { return }
        do {
            let command = try RTMPCommand(payload: message.payload)
            switch (command.name, command.transactionID) {
            case ("_result", 1):
                writer.command([.string("releaseStream"), .number(2), .null, .string(url.stream)], context: context)
                writer.command([.string("FCPublish"), .number(3), .null, .string(url.stream)], context: context)
                writer.command([.string("createStream"), .number(4), .null], context: context)
                context.flush()
            case ("_result", 4):
                streamID = UInt32(command.arguments.first?.numberValue ?? 1)
                writer.command(
                    [.string("publish"), .number(5), .null, .string(url.stream), .string("live")],
                    streamID: streamID, csid: 4, context: context)
                context.flush()
            case ("_error", _):
                failure = "server refused: \(command.arguments)"
                context.close(promise: nil)
            default:
                guard let status = statusCode(command) else { break }
                if status.code == "NetStream.Publish.Start", !publishing {
                    publishing = true
                    startInstant = NIODeadline.now().uptimeNanoseconds
                    started.succeed(())
                    sendDue(context: context)
                } else if status.level == "error" {
                    failure = status.code
                    context.close(promise: nil)
                }
            }
        } catch {
            errorCaught(context: context, error: error)
        }
    }

    /// Sends every tag whose time has come, then sleeps until the next one.
    private func sendDue(context: ChannelHandlerContext) {
        guard !stopping, context.channel.isActive else { return }
        let duration = file.loopDuration
        let now = NIODeadline.now().uptimeNanoseconds
        var wrote = false
        while true {
            if index == file.tags.count {
                index = 0
                loop += 1
            }
            let tag = file.tags[index]
            if loop > 0 && (tag.isScript || tag.isSequenceHeader) {
                index += 1
                continue
            }
            let timestamp = tag.isScript ? 0 : tag.timestamp &+ loop &* duration
            let due = startInstant + UInt64(timestamp &- firstTimestamp) * 1_000_000
            if !tag.isScript && due > now {
                if wrote { context.flush() }
                let deadline = NIODeadline.uptimeNanoseconds(due)
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                task = context.eventLoop.scheduleTask(deadline: deadline) {
                    bound.value.0.sendDue(context: bound.value.1)
                }
                return
            }
            send(tag, timestamp: timestamp, context: context)
            wrote = true
            index += 1
        }
    }

    private func send(_ tag: FLVTag, timestamp: UInt32, context: ChannelHandlerContext) {
        var payload = tag.body
        if tag.isScript {
            var body = context.channel.allocator.buffer(capacity: payload.readableBytes + 16)
            body.writeAMF0(.string("@setDataFrame"))
            body.writeBuffer(&payload)
            payload = body
        }
        let csid: UInt32 = tag.isVideo ? 6 : (tag.isAudio ? 4 : 5)
        let message = RTMPMessage(typeID: tag.type, streamID: streamID, timestamp: timestamp, payload: payload)
        if !tag.isScript && !tag.isSequenceHeader {
            sendLog.record(
                type: tag.type, timestamp: timestamp, at: NIODeadline.now().uptimeNanoseconds,
                keyframe: tag.isKeyframe ? payloadFingerprint(tag.body) : nil,
                idr: tag.isKeyframe ? idrFingerprint(tag.body) : nil
            )
        }
        writer.write(message, csid: csid, context: context)
        messagesSent += 1
        bytesSent += tag.body.readableBytes
    }
}

struct LoadTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
