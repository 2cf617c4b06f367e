import Logging
import Media
import NIOCore
import RelayCore

/// The body of a stream feed's thread: turns the stream's FLV messages into RTP frames once
/// for all its viewers. H.264 is packetized per RFC 6184 (STAP-A with SPS/PPS before each IDR,
/// FU-A); AAC is decoded and encoded to Opus once (on a source feed, and on a program-audio
/// feed, which packetizes no video). Damaged or
/// unsupported input is skipped and logged once, never fatal.
final class FeedWorker {
    let key: StreamKey
    private let transcodesAudio: Bool
    private let packetizesVideo: Bool
    private let logger: Logger
    private let emit: @Sendable (FeedOutput) -> Void
    private var packetizer = H264Packetizer()
    private var avc: AVCConfiguration?
    private var parameterSets: (sps: [ByteBuffer], pps: [ByteBuffer]) = ([], [])
    private var opus: AACToOpusTranscoder?
    private var audioConfig: [UInt8]?
    private var reportedBFrames = false
    private var warned: Set<String> = []

    init(key: StreamKey, transcodesAudio: Bool, packetizesVideo: Bool = true, logger: Logger, emit: @escaping @Sendable (FeedOutput) -> Void) {
        self.key = key
        self.transcodesAudio = transcodesAudio
        self.packetizesVideo = packetizesVideo
        self.logger = logger
        self.emit = emit
    }

    func handle(_ item: StreamItem) {
        switch item {
        case .event(.publisherStarted): emit(.publisherStarted)
        case .event(.ended(let reason)): emit(.ended(reason: reason))
        case .event(.publisherLost): break
        case .media(let message):
            switch message.kind {
            case .video where packetizesVideo: video(message)
            case .audio where transcodesAudio: audio(message)
            case .video, .audio, .metadata: break
            }
        }
    }

    private func video(_ message: MediaMessage) {
        var payload = message.payload
        guard let first = payload.readInteger(as: UInt8.self), let packetType = payload.readInteger(as: UInt8.self),
            let cts = payload.readInteger(as: UInt16.self), let ctsLow = payload.readInteger(as: UInt8.self)
        else { return }
        guard first & 0x0F == 7, first & 0x80 == 0 else { return warnOnce("video", "the video is not H.264: WebRTC viewers get audio only") }
        // Composition time offset: a signed 24-bit value.
        var composition = Int32(cts) << 8 | Int32(ctsLow)
        if composition & 0x80_0000 != 0 { composition -= 0x100_0000 }
        switch packetType {
        case 0:
            do {
                let config = try AVCConfiguration.parse(Array(payload.readableBytesView))
                avc = config
                parameterSets = (
                    config.sequenceParameterSets.map { ByteBuffer(bytes: $0) }, config.pictureParameterSets.map { ByteBuffer(bytes: $0) }
                )
            } catch {
                warnOnce("avc", "the H.264 configuration does not parse: \(error)")
            }
        case 1:
            guard let avc else { return }
            if composition != 0, !reportedBFrames {
                reportedBFrames = true
                emit(.bFramesSeen)
            }
            let payloads = packetizer.packetize(
                accessUnit: payload, nalLengthSize: avc.nalLengthSize, sps: parameterSets.sps, pps: parameterSets.pps,
                isKeyframe: message.isKeyframe
            )
            guard !payloads.isEmpty else { return }
            let pts = Int64(message.timestamp) + Int64(composition)
            emit(.frame(RTPFrame(track: .video, payloads: payloads, timestamp: UInt32(truncatingIfNeeded: pts * 90), isKeyframe: message.isKeyframe)))
        default:
            break
        }
    }

    private func audio(_ message: MediaMessage) {
        var payload = message.payload
        guard let first = payload.readInteger(as: UInt8.self), first >> 4 == 10, let packetType = payload.readInteger(as: UInt8.self) else {
            return warnOnce("audio", "the audio is not AAC: WebRTC viewers get video only")
        }
        if packetType == 0 {
            let config = Array(payload.readableBytesView)
            guard config != audioConfig else { return }
            audioConfig = config
            do {
                // One Opus stream for the feed's life: a new configuration keeps its timeline.
                if let opus { try opus.reconfigure(audioSpecificConfig: config) } else { opus = try AACToOpusTranscoder(audioSpecificConfig: config) }
            } catch {
                warnOnce("aac", "the AAC configuration does not open a decoder: \(error)")
            }
            return
        }
        guard let opus else { return }
        let packets: [OpusPacket]
        do {
            packets = try opus.transcode(aacFrame: payload, timestampMs: message.timestamp)
        } catch {
            return warnOnce("opus", "AAC to Opus failed: \(error)")
        }
        for packet in packets {
            emit(
                .frame(
                    RTPFrame(
                        track: .audio, payloads: [RTPPayload(bytes: packet.data, marker: false)],
                        timestamp: UInt32(truncatingIfNeeded: packet.timestamp48k), isKeyframe: false
                    )))
        }
    }

    private func warnOnce(_ what: String, _ message: String) {
        guard warned.insert(what).inserted else { return }
        logger.warning("\(message)", metadata: ["stream": "\(key)"])
    }
}
