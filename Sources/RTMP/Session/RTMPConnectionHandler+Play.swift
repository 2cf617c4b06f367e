import NIOCore
import RelayCore

extension RTMPConnectionHandler: PlayerSink {
    func requestPlay(_ command: RTMPCommand) throws {
        let name = try streamName(command)
        try session.requestPlay(name)
        authorize(.play, name)
    }

    func startPlaying(_ name: RTMPStreamName, grant: AccessGrant) {
        guard let context else { return }
        sendUserControl(.streamBegin, value: RTMPWireFramer.playStreamID)
        sendStatus(level: "status", code: "NetStream.Play.Reset", description: "Playing and resetting \(name.stream.name).")
        sendStatus(level: "status", code: "NetStream.Play.Start", description: "Started playing \(name.stream.name).")
        sendData([.string("|RtmpSampleAccess"), .boolean(true), .boolean(true)])
        context.flush()
        let bandwidth = grant.bandwidthKbps ?? configuration.defaultBandwidthKbps
        let adaptive = name.rendition == nil && bandwidth != nil && !shared.renditions.ladderNames.isEmpty
        let outlet = PlayerOutlet(
            sink: self, eventLoop: context.eventLoop,
            scheduler: shared.flushSchedulers.scheduler(for: context.eventLoop),
            limits: configuration.playerQueueLimits, stallTimeout: configuration.playerStallTimeout,
            identity: .init(schoolId: grant.schoolId, transport: .rtmp, rendition: name.rendition ?? "source")
        )
        if adaptive {
            let playback = AdaptivePlayback(
                source: name.stream, outlet: outlet, registry: shared.registry, directory: shared.renditions,
                bandwidthKbps: bandwidth, configuration: configuration.renditionSelection, logger: logger
            )
            session.startedPlaying(.adaptive(playback), name)
            playback.start()
            logger.info("play started", metadata: [
                "stream": "\(name.stream)", "rendition": "\(playback.rendition)", "adaptive": "true",
                "bandwidthKbps": "\(bandwidth ?? 0)", "waitingForPublisher": "\(!playback.isPublished)",
            ])
        } else {
            let key = Rendition.playedKey(source: name.stream, rendition: name.rendition ?? "source")
            let stream = shared.registry.attachSubscriber(outlet, to: key)
            session.startedPlaying(.single(outlet, stream), name)
            logger.info("play started", metadata: [
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
                writeMedia(wire)
            } else {
                // A stream without a framer (tests): frame for this player only.
                var framed = message
                RTMPWireFramer(chunkSize: encoder.chunkSize).frame(&framed)
                writeMedia(framed.wire!)
            }
        case .event(.publisherStarted), .event(.publisherLost):
            // Deliberately silent: ffmpeg and librtmp end playback on NetStream.Play.UnpublishNotify,
            // and a returning publisher must find its players still connected.
            break
        case .event(.ended(let reason)):
            sendStatus(level: "status", code: "NetStream.Play.UnpublishNotify", description: "\(reason)")
            sendStatus(level: "status", code: "NetStream.Play.Stop", description: "Stopped: \(reason)")
            sendUserControl(.streamEOF, value: RTMPWireFramer.playStreamID)
            end(session.refuse(), reason: reason)
            closeOnceSent(context)
        }
    }

    public func flush() {
        writePendingMedia()
        context?.flush()
    }
}
