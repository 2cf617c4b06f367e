public import Logging
import Metrics
import NIOConcurrencyHelpers
public import NIOCore
public import RelayCore

/// Plays a stream from another relay node (connect, createStream, play) and publishes what it
/// receives into this node's registry, as an RTMP publisher's messages would be: one pull per
/// stream per node, however many players it serves here.
///
/// The pull takes the stream once the origin answers `NetStream.Play.Start`; a local publisher
/// taking the stream over (or the relay stopping) evicts it, which closes the connection; the
/// connection closing ends the publish (players wait out the grace) and calls `ended`.
public final class RTMPPullHandler: ChannelInboundHandler, StreamPublisher, @unchecked Sendable {
    public typealias InboundIn = RTMPChunkDecoder.Output
    public typealias OutboundOut = ByteBuffer

    let url: RTMPURL
    let stream: StreamKey
    let registry: StreamRegistry
    let origin: String
    let logger: Logger
    let ended: @Sendable (String) -> Void
    private var writer = RTMPClientWriter()
    /// Loop-confined after `channelActive`.
    private var session: PublishSession?
    private var messages = 0
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    private let endedOnce = NIOLockedValueBox(false)
    private let bytes = Counter(label: "relay_cluster_pull_bytes_total")

    public init(
        url: RTMPURL, stream: StreamKey, registry: StreamRegistry, origin: String, logger: Logger,
        ended: @escaping @Sendable (String) -> Void
    ) {
        self.url = url
        self.stream = stream
        self.registry = registry
        self.origin = origin
        self.logger = logger
        self.ended = ended
    }

    public func channelActive(context: ChannelHandlerContext) {
        channel.withLockedValue { $0 = context.channel }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        finish("the connection to node \(origin) closed")
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish("\(error)")
        context.close(promise: nil)
    }

    /// A local publisher took the stream, or the relay stops.
    public func evict(reason: String) {
        _ = channel.withLockedValue { $0 }?.close()
    }

    /// Closes the pull (no one here watches any more).
    public func stop() {
        _ = channel.withLockedValue { $0 }?.close()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RTMPHandshakeCompleted else { return context.fireUserInboundEventTriggered(event) }
        writer.connect(url, flashVer: "relayd pull", context: context)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let message = answerControl(unwrapInboundIn(data), writer: writer, context: context) else { return }
        switch message.type {
        case .video: publish(.video, message)
        case .audio: publish(.audio, message)
        case .amf0Data: publish(.metadata, message)
        case .amf0Command:
            do {
                try command(RTMPCommand(payload: message.payload), context: context)
            } catch {
                errorCaught(context: context, error: error)
            }
        default:
            break
        }
    }

    private func command(_ command: RTMPCommand, context: ChannelHandlerContext) throws {
        if writer.continuePlay(after: command, stream: url.stream, context: context) != nil { return }
        switch (command.name, command.transactionID) {
        case ("_error", _):
            finish("node \(origin) refused: \(command.arguments)")
            context.close(promise: nil)
        default:
            guard let status = statusCode(command) else { return }
            if status.level == "error" {
                finish("node \(origin) refused the play: \(status.code)")
                context.close(promise: nil)
            } else if status.code == "NetStream.Play.Start", session == nil {
                session = registry.attachPublisher(self, to: stream, info: PublisherInfo(transport: .rtmp, pulledFrom: origin))
                logger.info("pull started", metadata: ["stream": "\(stream)", "from": "\(origin)"])
            }
        }
    }

    private func publish(_ kind: MediaMessage.Kind, _ message: RTMPMessage) {
        guard let session else { return }
        messages += 1
        bytes.increment(by: Int64(message.payload.readableBytes))
        session.publish(MediaMessage(kind: kind, timestamp: message.timestamp, payload: message.payload))
    }

    private func finish(_ reason: String) {
        guard
            endedOnce.withLockedValue({ done in
                defer { done = true }
                return !done
            })
        else { return }
        session?.end()
        session = nil
        logger.info("pull ended", metadata: ["stream": "\(stream)", "from": "\(origin)", "reason": "\(reason)", "messages": "\(messages)"])
        ended(reason)
    }
}
