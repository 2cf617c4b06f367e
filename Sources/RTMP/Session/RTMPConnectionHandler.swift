import Logging
public import NIOCore
public import RelayCore

/// One RTMP client connection after the handshake: answers commands, and is either a publisher
/// (its media goes into the stream registry) or a player (the registry's media goes out to it
/// through a ``PlayerOutlet``, as the same pre-framed bytes every player of the stream gets).
public final class RTMPConnectionHandler: ChannelInboundHandler {
    public typealias InboundIn = RTMPChunkDecoder.Output
    public typealias OutboundOut = ByteBuffer

    /// What a playing connection holds: its outlet on one stream, or an adaptive playback.
    enum Playback {
        case single(PlayerOutlet, LiveStream)
        case adaptive(AdaptivePlayback<PlayerOutlet>)

        var outlet: PlayerOutlet {
            switch self {
            case .single(let outlet, _): return outlet
            case .adaptive(let playback): return playback.outlet
            }
        }
    }

    let shared: RTMPSessionContext
    var configuration: RTMPSessionConfiguration { shared.configuration }
    var logger: Logger
    var encoder = RTMPChunkEncoder()
    /// The protocol state: every decision about roles is made there.
    var session: RTMPSession<PublishSession, Playback>
    var context: ChannelHandlerContext?
    /// The channel's writability, kept from `channelWritabilityChanged` so the per-drain check
    /// is a field read, not a walk to the channel.
    var writable = true
    /// Media written by the current drain and not yet handed to the pipeline: adjacent messages
    /// of one segment (``RTMPSegmentFramer``) grow it, so they go out as one buffer.
    var pendingMedia: ByteBuffer?
    /// The segment `pendingMedia` is a view of (0: a buffer of its own).
    var pendingSegment: UInt64 = 0
    private var idleTimer: RepeatedTask?
    var remote = "?"
    /// Raised when a publish is allowed (the decoder's limit until then is small).
    let messageLimit: RTMPMessageLimit?

    public init(context shared: RTMPSessionContext, messageLimit: RTMPMessageLimit? = nil) {
        self.shared = shared
        self.messageLimit = messageLimit
        self.logger = shared.logger
        session = RTMPSession(
            maxPendingPublishBytes: shared.configuration.maxPendingPublishBytes, idleTimeout: shared.configuration.idleTimeout,
            now: .now()
        )
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        session.read(at: context.eventLoop.now)
        writable = context.channel.isWritable
        remote = context.remoteAddress?.description ?? "?"
        logger[metadataKey: "remote"] = "\(remote)"
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { _ in
            bound.value.checkIdle()
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        leaveRole(reason: "connection closed")
        self.context = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        leaveRole(reason: "connection closed")
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(reason: RTMPCloseCounter.reason(for: error))
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable { session.playing?.outlet.flushNow() }
        context.fireChannelWritabilityChanged()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.read(at: context.eventLoop.now)
        switch unwrapInboundIn(data) {
        case .acknowledgement(let sequence):
            var payload = context.channel.allocator.buffer(capacity: 4)
            payload.writeInteger(sequence)
            send(RTMPMessage(type: .acknowledgement, payload: payload), csid: RTMPChunkStreamID.protocolControl)
            context.flush()
        case .message(let message):
            do {
                try handle(message)
            } catch {
                close(reason: RTMPCloseCounter.reason(for: error))
            }
        }
    }

    private func handle(_ message: RTMPMessage) throws {
        switch message.type {
        case .audio, .video:
            receiveMedia(kind: message.typeID == RTMPMessageType.audio.rawValue ? .audio : .video, message)
        case .amf0Data:
            try receiveData(message.payload, timestamp: message.timestamp)
        case .amf3Data:
            var payload = message.payload
            payload.moveReaderIndex(forwardBy: min(1, payload.readableBytes))
            try receiveData(payload, timestamp: message.timestamp)
        case .amf0Command:
            try handleCommand(RTMPCommand(payload: message.payload))
        case .amf3Command:
            var payload = message.payload
            payload.moveReaderIndex(forwardBy: min(1, payload.readableBytes))
            try handleCommand(RTMPCommand(payload: payload))
        case .userControl:
            handleUserControl(message.payload)
        case .acknowledgement, .setPeerBandwidth, .amf0SharedObject, .amf3SharedObject, .aggregate:
            break
        case .setChunkSize, .abort, .windowAcknowledgementSize:
            break  // applied by the chunk decoder
        case .none:
            throw RTMPProtocolError.unknownMessageType(message.typeID)
        }
    }

    private func handleUserControl(_ payload: ByteBuffer) {
        guard let event = payload.getInteger(at: payload.readerIndex, as: UInt16.self),
            event == RTMPUserControlEvent.pingRequest.rawValue,
            let stamp = payload.getInteger(at: payload.readerIndex + 2, as: UInt32.self)
        else { return }
        sendUserControl(.pingResponse, value: stamp)
        context?.flush()
    }

    private func checkIdle() {
        guard let context, let reason = session.idleCheck(now: context.eventLoop.now) else { return }
        close(reason: reason)
    }

    /// Closes the connection with a logged reason.
    public func close(reason: CloseReason) {
        guard case .close(let leaving) = session.close() else { return }
        logger.notice("closing connection", metadata: ["reason": "\(reason)", "category": "\(reason.metricLabel)"])
        RTMPCloseCounter.count(category: reason.metricLabel)
        end(leaving, reason: reason.description)
        context?.close(promise: nil)
    }

    /// Leaves the role the connection had (back to idle), ending it.
    func leaveRole(reason: String) {
        end(session.leave(), reason: reason)
    }

    /// Ends what the connection was doing: detaches the publisher or the player.
    func end(_ leaving: RTMPSession<PublishSession, Playback>.Leaving?, reason: String) {
        switch leaving {
        case .publishing(let publishing, let name):
            publishing.end()
            let (messages, bytes) = publishing.stream.inputCounters
            logger.info(
                "publish ended",
                metadata: [
                    "stream": "\(name.stream)", "reason": "\(reason)", "messages": "\(messages)", "bytes": "\(bytes)",
                ])
        case .playing(.single(let outlet, let stream), let name):
            outlet.close()
            shared.registry.detachSubscriber(outlet, from: stream)
            logPlayEnded(outlet, name, reason: reason, rendition: name.rendition ?? "source")
        case .playing(.adaptive(let playback), let name):
            playback.outlet.close()
            playback.stop()
            logPlayEnded(playback.outlet, name, reason: reason, rendition: playback.rendition)
        case nil:
            break
        }
    }

    private func logPlayEnded(_ outlet: PlayerOutlet, _ name: RTMPStreamName, reason: String, rendition: String) {
        let drops = outlet.dropStats
        logger.info(
            "play ended",
            metadata: [
                "stream": "\(name.stream)", "rendition": "\(rendition)", "reason": "\(reason)",
                "messagesSent": "\(outlet.messagesSent)", "bytesSent": "\(outlet.bytesSent)",
                "droppedMessages": "\(drops.droppedMessages)", "overflows": "\(drops.overflows)",
            ])
    }
}

@available(*, unavailable)
extension RTMPConnectionHandler: Sendable {}
