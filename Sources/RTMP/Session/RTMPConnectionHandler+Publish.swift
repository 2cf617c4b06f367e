import NIOCore
import RelayCore

extension RTMPConnectionHandler {
    func requestPublish(_ command: RTMPCommand) throws {
        let name = try streamName(command)
        switch try session.requestPublish(name) {
        case .authorize:
            authorize(.publish, name)
        case .refuseRung(let rendition):
            logger.notice("publish refused", metadata: ["stream": "\(name.stream)", "reason": "rung \(rendition)"])
            refuse(code: "NetStream.Publish.BadName", description: "publish refused: '\(rendition)' is a rendition, publish to \(name.stream.name)")
        }
    }

    func startPublishing(_ name: RTMPStreamName, pending: [MediaMessage], grant: AccessGrant) {
        guard let context else { return }
        let handle = RTMPPublisherHandle(channel: context.channel, logger: logger)
        let session = shared.registry.attachPublisher(
            handle, to: name.stream, info: PublisherInfo(transport: .rtmp, schoolId: grant.schoolId)
        )
        self.session.startedPublishing(session, name)
        sendUserControl(.streamBegin, value: RTMPSegmentFramer.playStreamID)
        sendStatus(level: "status", code: "NetStream.Publish.Start", description: "\(name.stream.name) is now published.")
        context.flush()
        logger.info("publish started", metadata: ["stream": "\(name.stream)"])
        for message in pending { session.publish(message) }
    }

    func receiveMedia(kind: MediaMessage.Kind, _ message: RTMPMessage) {
        let media = MediaMessage(kind: kind, timestamp: message.timestamp, payload: message.payload)
        switch session.receivedMedia(media) {
        case .publish(let publishing):
            publishing.publish(media)
        case .overflow(let reason):
            close(reason: reason)
        case .kept, .ignore:
            break  // kept until the publish is authorized; media from a non-publisher is dropped
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
        if let session = session.publishing, let info = metadata.objectValue {
            let codecID = info["videocodecid"]?.numberValue
            let codec = codecID == 7 ? "h264" : (codecID == 12 ? "hevc" : info["videocodecid"]?.stringValue ?? "unknown")
            session.setVideoInfo(
                VideoInfo(
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
}
