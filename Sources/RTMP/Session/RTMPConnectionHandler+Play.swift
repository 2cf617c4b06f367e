import NIOCore
public import RelayCore

extension RTMPConnectionHandler: PlayerSink {
    func requestPlay(_ command: RTMPCommand) throws {
        let name = try streamName(command)
        try session.requestPlay(name)
        authorize(.play, name)
    }

    func startPlaying(_ name: RTMPStreamName, grant: AccessGrant) {
        guard let context else { return }
        sendUserControl(.streamBegin, value: RTMPSegmentFramer.playStreamID)
        sendStatus(level: "status", code: "NetStream.Play.Reset", description: "Playing and resetting \(name.stream.name).")
        sendStatus(level: "status", code: "NetStream.Play.Start", description: "Started playing \(name.stream.name).")
        sendData([.string("|RtmpSampleAccess"), .boolean(true), .boolean(true)])
        context.flush()
        let bandwidth = grant.bandwidthKbps ?? configuration.defaultBandwidthKbps
        // The plain name of a class also follows the class's program (``AdaptivePlayback``).
        let adaptive = name.rendition == nil && (bandwidth != nil && !shared.renditions.ladderNames.isEmpty || name.stream.mayCarryProgram)
        // A pinned rung the source cannot feed plays the source.
        let key = shared.renditions.playedKey(source: name.stream, rendition: name.rendition ?? "source")
        let outlet = PlayerOutlet(
            sink: self, eventLoop: context.eventLoop,
            scheduler: shared.flushSchedulers.scheduler(for: context.eventLoop),
            limits: configuration.playerQueueLimits, stallTimeout: configuration.playerStallTimeout,
            identity: .init(schoolId: grant.schoolId, transport: .rtmp, rendition: key == name.stream ? "source" : name.rendition ?? "source")
        )
        if adaptive {
            let playback = AdaptivePlayback(
                source: name.stream, outlet: outlet, registry: shared.registry, directory: shared.renditions,
                bandwidthKbps: bandwidth, configuration: configuration.renditionSelection, logger: logger
            )
            session.startedPlaying(.adaptive(playback), name)
            playback.start()
            logger.info(
                "play started",
                metadata: [
                    "stream": "\(name.stream)", "rendition": "\(playback.rendition)", "adaptive": "true",
                    "bandwidthKbps": "\(bandwidth ?? 0)", "waitingForPublisher": "\(!playback.isPublished)",
                ])
        } else {
            let stream = shared.registry.attachSubscriber(outlet, to: key)
            session.startedPlaying(.single(outlet, stream), name)
            logger.info(
                "play started",
                metadata: [
                    "stream": "\(name.stream)", "rendition": "\(name.rendition ?? "source")",
                    "waitingForPublisher": "\(!stream.isPublished)",
                ])
        }
        outlet.flushNow()
    }

    // MARK: PlayerSink

    public var isWritable: Bool { context != nil && writable }

    public var bufferedBytes: Int {
        (try? context?.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }

    public func write(_ item: StreamItem) {
        guard let context else { return }
        switch item {
        case .media(let message):
            if let wire = message.wire {
                writeMedia(wire, segment: message.wireSegment)
            } else {
                // Not framed by its stream (a rung switch's rebased message, a stream without a
                // framer in tests): chunked for this player alone, into a buffer of its own.
                let csid = RTMPSegmentFramer.chunkStream(for: message.kind)
                var wire = context.channel.allocator.buffer(
                    capacity: RTMPChunkEncoder.encodedSize(
                        length: message.payload.readableBytes, timestamp: message.timestamp, csid: csid, chunkSize: encoder.chunkSize
                    ))
                encoder.encode(
                    RTMPMessage(
                        typeID: message.kind.rawValue, streamID: RTMPSegmentFramer.playStreamID, timestamp: message.timestamp,
                        payload: message.payload),
                    csid: csid, into: &wire
                )
                writeMedia(wire, segment: 0)
            }
        case .event(.publisherStarted), .event(.publisherLost):
            // Deliberately silent: ffmpeg and librtmp end playback on NetStream.Play.UnpublishNotify,
            // and a returning publisher must find its players still connected.
            break
        case .event(.ended(let reason)):
            sendStatus(level: "status", code: "NetStream.Play.UnpublishNotify", description: "\(reason)")
            sendStatus(level: "status", code: "NetStream.Play.Stop", description: "Stopped: \(reason)")
            sendUserControl(.streamEOF, value: RTMPSegmentFramer.playStreamID)
            end(session.refuse(), reason: reason)
            closeOnceSent(context)
        }
    }

    public func flush() {
        writePendingMedia()
        context?.flush()
    }
}
