import NIOCore
import RelayCore

extension RTMPConnectionHandler {
    func requestPublish(_ command: RTMPCommand) throws {
        let name = try streamName(command)
        guard case .idle = role else {
            throw RTMPProtocolError.malformedMessage("publish while already \(roleName)")
        }
        if let rendition = name.rendition {
            logger.notice("publish refused", metadata: ["stream": "\(name.stream)", "reason": "rung \(rendition)"])
            refuse(code: "NetStream.Publish.BadName", description: "publish refused: '\(rendition)' is a rendition, publish to \(name.stream.name)")
            return
        }
        role = .authorizingPublish(name, pending: [], pendingBytes: 0)
        authorize(.publish, name)
    }

    func startPublishing(_ name: RTMPStreamName, pending: [MediaMessage], grant: AccessGrant) {
        guard let context else { return }
        let handle = RTMPPublisherHandle(channel: context.channel, logger: logger)
        let session = shared.registry.attachPublisher(
            handle, to: name.stream, info: PublisherInfo(transport: .rtmp, schoolId: grant.schoolId)
        )
        role = .publishing(session, name)
        sendUserControl(.streamBegin, value: RTMPWireFramer.playStreamID)
        sendStatus(level: "status", code: "NetStream.Publish.Start", description: "\(name.stream.name) is now published.")
        context.flush()
        logger.info("publish started", metadata: ["stream": "\(name.stream)"])
        for message in pending { session.publish(message) }
    }

    func receiveMedia(kind: MediaMessage.Kind, _ message: RTMPMessage) {
        let media = MediaMessage(kind: kind, timestamp: message.timestamp, payload: message.payload)
        switch role {
        case .publishing(let session, _):
            session.publish(media)
        case .authorizingPublish(let name, var pending, let bytes):
            // Encoders such as OBS send right after publish; keep it until the answer comes.
            guard bytes + media.size <= configuration.maxPendingPublishBytes else {
                close(reason: .mediaBeforeAuthorization(bytes: bytes))
                return
            }
            role = .idle
            pending.append(media)
            role = .authorizingPublish(name, pending: pending, pendingBytes: bytes + media.size)
        default:
            break  // media from a connection that is not publishing is ignored
        }
    }

    /// `@setDataFrame`/`onMetaData` from the publisher becomes the stream's `onMetaData`.
    func receiveData(_ payload: ByteBuffer, timestamp: UInt32) throws {
        var reader = payload
        let values: [AMF0Value]
        do {
            values = try reader.readAMF0Values()
        } catch {
            throw RTMPProtocolError.malformedMessage("data message: \(error)")
        }
        var rest = values[...]
        if rest.first?.stringValue == "@setDataFrame" { rest = rest.dropFirst() }
        guard rest.first?.stringValue == "onMetaData", rest.count >= 2 else { return }
        var metadata = rest[rest.startIndex + 1]
        if case .object(let object) = metadata { metadata = .ecmaArray(object) }
        if case .publishing(let session, _) = role, let info = metadata.objectValue {
            let codecID = info["videocodecid"]?.numberValue
            let codec = codecID == 7 ? "h264" : (codecID == 12 ? "hevc" : info["videocodecid"]?.stringValue ?? "unknown")
            session.setVideoInfo(VideoInfo(
                codec: codec, width: Int(info["width"]?.numberValue ?? 0), height: Int(info["height"]?.numberValue ?? 0),
                fps: info["framerate"]?.numberValue ?? info["videoframerate"]?.numberValue ?? 0
            ))
        }
        var body = ByteBuffer()
        body.writeAMF0([.string("onMetaData"), metadata])
        var buffer = MediaMessage.allocatePayload(capacity: body.readableBytes, allocator: context?.channel.allocator ?? .init())
        buffer.writeBuffer(&body)
        receiveMedia(kind: .metadata, RTMPMessage(type: .amf0Data, timestamp: timestamp, payload: buffer))
    }

    var roleName: String {
        switch role {
        case .idle: return "idle"
        case .authorizingPublish, .publishing: return "publishing"
        case .authorizingPlay, .playing, .playingAdaptive: return "playing"
        case .closing: return "closing"
        }
    }
}
