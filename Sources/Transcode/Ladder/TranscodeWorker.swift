import Logging
import Media
import NIOCore
import RelayCore

/// The body of a class's transcoder thread: decodes the source video once, and per decoded
/// picture scales and encodes every watched rung, with keyframes at the same timestamps on all
/// rungs (the source's keyframes, and more where it leaves longer gaps: ``RungKeyframeCadence``).
/// Source AAC is decoded once and re-encoded per watched rung at the rung's audio bitrate
/// (copied as it is where it cannot be: not AAC-LC with 1024-sample frames). Damaged input is
/// skipped up to the next source keyframe and counted.
///
/// Only the rungs the source can feed are made (``LadderFit``): the worker measures each
/// publisher's video bitrate over its first seconds (``SourceBitrateMeter``) and decides then,
/// again for every new publisher, and adds rungs when the publisher's rate rises enough (a
/// browser's encoder ramping up; a dip takes none away). A rung not made whose stream has
/// players anyway (pinned before the decision, or made for an earlier publisher) gets the
/// source as it is (``SourcePassThrough``): no encode.
final class TranscodeWorker {
    let source: StreamKey
    private let registry: StreamRegistry
    private let directory: RenditionDirectory
    private let settings: TranscodeSettings
    private let logger: Logger
    private let fps: () -> Double
    /// The class's program (nil: the rungs are always made from the source's pictures).
    private let program: ClassProgram?
    /// The program at the source's size, for the plain name's players of the source.
    private let sourceSize: SourceSizeProgram?
    /// The source's current GOP while nothing is decoded, for the program's quick start.
    private var skipped = SkippedGOP()
    private let allocator = ByteBufferAllocator()
    private var decoder: VideoDecoder?
    private var outputs: [RungOutput] = []
    /// Rung streams not made whose players get the source as it is.
    private var passThrough = SourcePassThrough()
    private var videoHeader: MediaMessage?
    private var meter = SourceBitrateMeter()
    private var audioHeader: MediaMessage?
    private var audioDecoder: SourceAudioDecoder?
    /// Set for good once the source's audio cannot be re-encoded: rungs carry a copy of it.
    private var audioCopied = false
    private var waitingForKeyframe = true
    private var cadence: RungKeyframeCadence
    private(set) var decodeErrors = 0
    private var encodeErrors = 0
    /// The rungs were chosen for the current publisher (once its bitrate was measured and a
    /// picture decoded).
    private var isSetUp = false

    init(
        source: StreamKey, registry: StreamRegistry, directory: RenditionDirectory, settings: TranscodeSettings,
        logger: Logger, fps: @escaping () -> Double, program: ClassProgram? = nil
    ) {
        self.source = source
        self.registry = registry
        self.directory = directory
        self.settings = settings
        self.cadence = RungKeyframeCadence(gopMillis: Int64(settings.gopSeconds * 1000))
        self.logger = logger
        self.fps = fps
        self.program = program
        sourceSize = program.map { _ in SourceSizeProgram(source: source, registry: registry, directory: directory, settings: settings) }
        directory.startDeciding(source, owner: ObjectIdentifier(self))
    }

    func handle(_ item: StreamItem) {
        switch item {
        case .event(.publisherStarted):
            decoder?.flush()
            waitingForKeyframe = true
            // Another publisher (or the same one back): measured and decided again; the rungs
            // made so far go on until then.
            meter.reset()
            isSetUp = false
            skipped = SkippedGOP()
        case .event:
            break
        case .media(let message):
            switch message.kind {
            case .metadata: break
            case .audio: handleAudio(message)
            case .video: handleVideo(message)
            }
            passThrough.forward(message, allocator: allocator)
        }
    }

    /// Ends the rung streams (their players are told after the grace period) and withdraws them.
    func finish() {
        directory.withdraw(source, owner: ObjectIdentifier(self))
        for output in outputs { output.session.end() }
        program?.finish()
        sourceSize?.finish()
        passThrough.endAll()
        outputs.removeAll()
        decoder = nil
    }

    private func handleAudio(_ message: MediaMessage) {
        if message.isSequenceHeader {
            audioHeader = message
            var payload = message.payload
            payload.moveReaderIndex(forwardBy: min(2, payload.readableBytes))
            let config = Array(payload.readableBytesView)
            if !audioCopied, config != audioDecoder?.config {
                audioDecoder = try? SourceAudioDecoder(config: config)
                for output in outputs { output.resetAudio() }  // the next frame opens encoders for the new format
                if audioDecoder == nil { copyAudio(reason: "the source's AAC configuration does not open a decoder") }
            }
            if audioCopied { for output in outputs { output.publishCopy(of: message, allocator: allocator) } }
            return
        }
        guard !audioCopied, let decoder = audioDecoder else {
            for output in encodingOutputs where output.isWatched { output.publishCopy(of: message, allocator: allocator) }
            return
        }
        guard encodingOutputs.contains(where: \.isWatched) else { return }  // nobody plays a rung: no decode
        var payload = message.payload
        payload.moveReaderIndex(forwardBy: min(2, payload.readableBytes))
        do {
            try payload.withUnsafeReadableBytes { bytes throws(FFmpegError) in
                try decoder.decode(bytes, millis: Int64(message.timestamp)) { frame throws(FFmpegError) in
                    guard AACTagEncoder.accepts(decoder, frame: frame) else {
                        copyAudio(reason: "decoded frames are not 1024-sample planar float (HE-AAC or an unusual layout)")
                        return
                    }
                    // While sites are on stage: the program's mix, and each site's mix-minus for its players.
                    let mix = program?.audio(for: frame).flatMap { AACTagEncoder.accepts(decoder, frame: $0.program) ? $0 : nil }
                    for output in encodingOutputs where output.isWatched {
                        if let mix {
                            try output.encodeAudio(mix, millis: Int64(message.timestamp), source: decoder, allocator: allocator)
                        } else {
                            try output.encodeAudio(frame, millis: Int64(message.timestamp), source: decoder, allocator: allocator)
                        }
                    }
                }
            }
        } catch {
            decodeErrors += 1
            directory.countTranscodeLosses(dropped: 0, decodeErrors: 1)
        }
    }

    /// The rungs, and the program at the source's size while someone plays it.
    private var encodingOutputs: [RungOutput] { outputs + (sourceSize?.watchedOutput.map { [$0] } ?? []) }

    /// Gives up re-encoding audio for this publisher: rungs get the source's audio as it is.
    private func copyAudio(reason: String) {
        guard !audioCopied else { return }
        audioCopied = true
        audioDecoder = nil
        logger.notice("transcoder: copying the source audio to the rungs", metadata: ["stream": "\(source)", "reason": "\(reason)"])
        if let audioHeader { for output in outputs { output.publishCopy(of: audioHeader, allocator: allocator) } }
    }

    private func handleVideo(_ message: MediaMessage) {
        guard let tag = AVCVideoTag(message.payload) else { return }  // not AVC: nothing to transcode
        let payload = tag.body
        if tag.packetType == .sequenceHeader {
            videoHeader = message
            let record = Array(payload.readableBytesView)
            guard record != decoder?.record else { return }
            do {
                decoder = try VideoDecoder(record: record)
                waitingForKeyframe = true
            } catch {
                decoder = nil
                decodeErrors += 1
                logger.warning("transcoder: bad AVC sequence header", metadata: ["stream": "\(source)", "error": "\(error)"])
            }
            return
        }
        guard tag.packetType == .nalUnits else { return }
        if let kbps = meter.add(size: message.size, timestamp: message.timestamp, keyframe: message.isKeyframe), isSetUp,
            let decoder, settings.rungs(forSourceWidth: decoder.frameWidth, height: decoder.frameHeight, videoKbps: kbps).count > outputs.count
        {
            isSetUp = false  // the publisher ramped up to feed more rungs: set up again at the next picture
        }
        if isSetUp, message.isKeyframe { updatePassThrough() }
        let programWanted = sourceSize?.follow(stageIsSet: program?.stageIsSet ?? false) ?? false
        guard let decoder else { return }
        if isSetUp || settings.ladder.isEmpty, outputs.isEmpty, !programWanted {  // no rung fits, no program: nothing to decode
            waitingForKeyframe = true
            if sourceSize != nil { skipped.keep(message) }
            return
        }
        let replay = skipped.take()
        if waitingForKeyframe, !message.isKeyframe, !replay.isEmpty, catchUp(decoder, replay) { waitingForKeyframe = false }
        if waitingForKeyframe {
            guard message.isKeyframe else { return }
            waitingForKeyframe = false
        }
        do {
            try decoder.send(tag, of: message)
            while try decoder.receive() { transcode(decoder) }
        } catch {
            decodeErrors += 1
            directory.countTranscodeLosses(dropped: 0, decodeErrors: 1)
            waitingForKeyframe = true
            decoder.flush()
            if decodeErrors <= 5 || decodeErrors % 100 == 0 {
                logger.notice(
                    "transcoder: skipping to the next keyframe",
                    metadata: [
                        "stream": "\(source)", "error": "\(error)", "decodeErrors": "\(decodeErrors)",
                    ])
            }
        }
    }

    private func transcode(_ decoder: VideoDecoder) {
        guard let pts = decoder.framePts else { return }
        if !isSetUp, let kbps = meter.kbps {
            isSetUp = true
            setUp(width: decoder.frameWidth, height: decoder.frameHeight, videoKbps: kbps)
        }
        let (picture, programKey) = program?.picture(for: decoder.frame, fps: fps()) ?? (decoder.frame, false)
        let keyframe = cadence.isKeyframe(pts: pts, sourceKey: decoder.frameIsKey) || programKey
        let sourceSized = sourceSize?.output(
            width: decoder.frameWidth, height: decoder.frameHeight, videoKbps: meter.kbps ?? 1000, fps: fps())
        for output in outputs + (sourceSized.map { [$0] } ?? []) {
            let (watched, resumed, stopped) = output.updateWatched()
            if resumed || stopped {
                // Only the pictures: a rung that only audio-only feeds play (WebRTC viewers' program sound) encodes its audio alone.
                logger.info(
                    resumed ? "rung video started" : "rung video stopped",
                    metadata: [
                        "stream": "\(output.session.stream.key)", "audioOnlyPlayers": "\(!watched && output.isWatched)",
                    ])
            }
            guard watched else { continue }
            do {
                let asked =
                    directory.keyframeRequests.take(output.session.stream.key)
                    || sourceSize?.startsKeyframe(output, resumed: resumed) == true
                try output.encode(picture, pts: pts, keyframe: keyframe || resumed || asked, allocator: allocator)
            } catch {
                encodeErrors += 1
                if encodeErrors <= 5 {
                    logger.error(
                        "transcoder: encoding failed",
                        metadata: [
                            "stream": "\(source)", "rung": "\(output.rendition.name)", "error": "\(error)",
                        ])
                }
            }
        }
    }

    /// Decodes `messages` (the source's current GOP up to now) without encoding them, so the
    /// next picture decodes; false when one did not (then the next keyframe is awaited).
    private func catchUp(_ decoder: VideoDecoder, _ messages: [MediaMessage]) -> Bool {
        do {
            for message in messages {
                guard let tag = AVCVideoTag(message.payload), tag.packetType == .nalUnits else { continue }
                try decoder.send(tag, of: message)
                while try decoder.receive() {}
            }
            return true
        } catch {
            decoder.flush()
            return false
        }
    }

    /// Makes the rungs the source feeds (their encoders open when first watched): keeps those
    /// already made as they are, ends those the source no longer feeds and publishes the rest.
    private func setUp(width: Int, height: Int, videoKbps: Int) {
        let rungs = settings.rungs(forSourceWidth: width, height: height, videoKbps: videoKbps)
        for output in outputs where !rungs.contains(output.rendition) { output.session.end() }
        outputs.removeAll { !rungs.contains($0.rendition) }
        let rate = fps()
        for rung in rungs where !outputs.contains(where: { $0.rendition == rung }) {
            let key = Rendition.streamKey(source: source, rendition: rung.name)
            passThrough.end(key)
            let session = registry.attachPublisher(RungPublisher(key: key), to: key, info: PublisherInfo(transport: .rtmp))
            session.setVideoInfo(VideoInfo(codec: "h264", width: rung.width, height: rung.height, fps: rate))
            let output = RungOutput(rendition: rung, fps: rate, settings: settings, session: session)
            if audioCopied || audioDecoder == nil, let audioHeader { output.publishCopy(of: audioHeader, allocator: allocator) }
            outputs.append(output)
        }
        outputs.sort { a, b in rungs.firstIndex(of: a.rendition) ?? 0 < rungs.firstIndex(of: b.rendition) ?? 0 }
        directory.publish(rungs, for: source, owner: ObjectIdentifier(self))
        logger.info(
            rungs.isEmpty ? "no rung fits the source: players get the source" : "transcoding",
            metadata: [
                "stream": "\(source)", "source": "\(width)x\(height)", "measuredVideoKbps": "\(videoKbps)",
                "rungs": "\(rungs.map { "\($0.name)=\($0.width)x\($0.height)@\($0.videoKbps)k" }.joined(separator: ","))",
            ])
    }

    /// At a source keyframe: the source as it is to every ladder rung not made that has players
    /// (from this keyframe on), and no longer to one whose players left.
    private func updatePassThrough() {
        let made = Set(outputs.map(\.rendition.name))
        for rung in settings.ladder where !made.contains(rung.name) {
            let key = Rendition.streamKey(source: source, rendition: rung.name)
            let watched = (registry.stream(key)?.subscriberCount ?? 0) > 0
            if watched, !passThrough.contains(key) {
                let session = registry.attachPublisher(RungPublisher(key: key), to: key, info: PublisherInfo(transport: .rtmp))
                passThrough.start(session, headers: [videoHeader, audioHeader].compactMap { $0 }, allocator: allocator)
                logger.info("rung not made: its players get the source", metadata: ["stream": "\(key)"])
            } else if !watched, passThrough.contains(key) {
                passThrough.end(key)
            }
        }
    }
}

/// The transcoder as the publisher of its rung streams.
final class RungPublisher: StreamPublisher {
    let key: StreamKey
    init(key: StreamKey) { self.key = key }
    func evict(reason: String) {}
}
