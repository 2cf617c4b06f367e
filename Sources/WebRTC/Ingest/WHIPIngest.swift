import Logging
import Media
import NIOCore
import RelayCore

/// A WHIP publisher's media into the relay (RFC 9725): decrypted RTP in, the registry's FLV-tag
/// messages out, and the RTCP a sender needs back (NACK for missing packets, PLI when a picture
/// is lost, receiver reports and REMB).
///
/// H.264 is reordered (``RTPReorderBuffer``), reassembled into access units
/// (``H264Depacketizer``) and converted as an MPEG-TS publisher's is (``TSToFLVConverter``:
/// sequence header from the in-band SPS/PPS, video from a keyframe, after damage from the next
/// one); Opus becomes AAC once per stream (``OpusToAACTranscoder``). Confined to the media
/// server's event loop, like its session.
final class WHIPIngest {
    struct Configuration {
        var reorderDelay: TimeAmount = .milliseconds(150)
        /// PLIs at most this often while a keyframe is awaited.
        var pictureLossInterval: TimeAmount = .milliseconds(500)
        /// A keyframe is asked for this often: a browser's encoder sends one only when asked, and
        /// the relay's GOP cache, players' catch-up, HLS segments and rungs need them regularly.
        var keyframeInterval: TimeAmount = .seconds(2)
        var reportInterval: TimeAmount = .seconds(1)
        /// The bitrate a publisher is told it may send (REMB).
        var maximumBitrate: UInt64 = 4_000_000
        /// Bytes of one access unit at most: a NAL unit that never ends is refused.
        var maxAccessUnitBytes = 4 << 20
    }

    /// What ends the session.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    let stream: StreamKey
    let configuration: Configuration
    private let videoPayloadType: UInt8?
    private let audioPayloadType: UInt8?
    private let expectedVideoSSRC: UInt32?
    private let expectedAudioSSRC: UInt32?
    private let logger: Logger
    /// Attaches the publisher to the registry (at connect).
    private let attach: () -> PublishSession
    private var session: PublishSession?

    private var videoOrder: RTPReorderBuffer
    private var audioOrder: RTPReorderBuffer
    private var depacketizer = H264Depacketizer()
    private var converter: TSToFLVConverter
    private let opus: OpusToAACTranscoder?
    private var videoTrack = ReceivedTrack()
    private var audioTrack = ReceivedTrack()
    private var videoOrigin: (rtp: UInt32, millis: Int64)?
    private var audioOrigin: (rtp: UInt32, millis: Int64)?
    private var startedAt: NIODeadline?
    private var waitingForKeyframe = true
    /// The last video time published: a unit at or before it (the rest of a frame that came
    /// apart under loss, a late duplicate) would repeat a DTS, which RTMP and FLV players reject.
    private var lastVideoMillis: Int64?
    private var lastPictureLoss: NIODeadline?
    private var lastKeyframe: NIODeadline?
    private var lastReport: NIODeadline?
    private var accessUnitBytes = 0
    let reporterSSRC = UInt32.random(in: 1...UInt32.max)
    private var counters = Stats()
    var stats: Stats {
        var stats = counters
        stats.skipped = videoOrder.skipped + audioOrder.skipped
        stats.late = videoOrder.late + audioOrder.late
        return stats
    }

    struct Stats: Equatable, CustomStringConvertible {
        var videoPackets = 0
        var audioPackets = 0
        var foreignPackets = 0
        var frames = 0
        var damagedFrames = 0
        var nacked = 0
        var pictureLosses = 0
        var audioFrames = 0
        var skipped = 0
        var late = 0

        var description: String {
            "video=\(videoPackets) audio=\(audioPackets) foreign=\(foreignPackets) frames=\(frames) damaged=\(damagedFrames) "
                + "nacked=\(nacked) skipped=\(skipped) late=\(late) plis=\(pictureLosses) aac=\(audioFrames)"
        }
    }

    init(
        stream: StreamKey, negotiated: NegotiatedSession, configuration: Configuration = .init(), logger: Logger,
        attach: @escaping () -> PublishSession
    ) throws(FFmpegError) {
        self.stream = stream
        self.configuration = configuration
        self.logger = logger
        self.attach = attach
        videoPayloadType = negotiated.video?.codec?.payloadType
        audioPayloadType = negotiated.audio?.codec?.payloadType
        expectedVideoSSRC = negotiated.video?.remotePrimarySSRC
        expectedAudioSSRC = negotiated.audio?.remotePrimarySSRC
        videoOrder = RTPReorderBuffer(maxDelay: configuration.reorderDelay)
        audioOrder = RTPReorderBuffer(maxDelay: configuration.reorderDelay)
        converter = TSToFLVConverter(expectsVideo: videoPayloadType != nil, expectsAudio: audioPayloadType != nil)
        opus = audioPayloadType == nil ? nil : try OpusToAACTranscoder()
    }

    /// DTLS is done: the publisher takes the stream, and is asked for a keyframe at once.
    func start(now: NIODeadline) -> [ByteBuffer] {
        guard session == nil else { return [] }
        session = attach()
        startedAt = now
        lastReport = now
        return pictureLoss(now: now, force: true)
    }

    /// The session ended: players wait out the publisher's grace.
    func end() {
        session?.end()
        session = nil
    }

    /// One decrypted RTP packet; returns RTCP to send (NACK, PLI), or throws what ends the session.
    func receive(_ packet: RTPPacket, now: NIODeadline) throws(Refusal) -> [ByteBuffer] {
        guard session != nil else { return [] }
        let header = packet.header
        let isVideo = header.payloadType == videoPayloadType
        // Only the offer's payload types, from the SSRC the offer announced for each.
        guard isVideo || header.payloadType == audioPayloadType,
            (isVideo ? expectedVideoSSRC : expectedAudioSSRC).map({ $0 == header.ssrc }) ?? true
        else {
            counters.foreignPackets += 1
            return []
        }
        if isVideo {
            counters.videoPackets += 1
            videoTrack.receive(sequence: header.sequenceNumber, ssrc: header.ssrc)
            var rtcp: [ByteBuffer] = []
            for ordered in videoOrder.insert(packet, now: now) { rtcp += try video(ordered, now: now) }
            return rtcp + videoNACK(now: now)
        }
        counters.audioPackets += 1
        audioTrack.receive(sequence: header.sequenceNumber, ssrc: header.ssrc)
        for ordered in audioOrder.insert(packet, now: now) { audio(ordered, now: now) }
        // Audio comes every 20 ms: a chance to ask again for video that is still missing.
        return videoNACK(now: now)
    }

    /// Timers: packets waited for too long come out; receiver reports, REMB; PLIs repeated.
    func tick(now: NIODeadline) throws(Refusal) -> [ByteBuffer] {
        guard session != nil else { return [] }
        var rtcp: [ByteBuffer] = []
        for ordered in videoOrder.release(now: now) { rtcp += try video(ordered, now: now) }
        for ordered in audioOrder.release(now: now) { audio(ordered, now: now) }
        rtcp += videoNACK(now: now)
        if waitingForKeyframe {
            rtcp += pictureLoss(now: now, force: false)
        } else if let lastKeyframe, now - lastKeyframe >= configuration.keyframeInterval,
            lastPictureLoss.map({ now - $0 >= configuration.keyframeInterval }) ?? true
        {
            rtcp += pictureLoss(now: now, force: true)
        }
        if let lastReport, now - lastReport >= configuration.reportInterval {
            self.lastReport = now
            rtcp.append(report())
        }
        return rtcp
    }

    // MARK: Video

    private func video(_ packet: RTPPacket, now: NIODeadline) throws(Refusal) -> [ByteBuffer] {
        accessUnitBytes += packet.payload.readableBytes
        guard accessUnitBytes <= configuration.maxAccessUnitBytes else {
            throw Refusal(description: "a video frame grew past \(configuration.maxAccessUnitBytes) bytes without ending")
        }
        var rtcp: [ByteBuffer] = []
        for unit in depacketizer.push(packet) {
            accessUnitBytes = 0
            counters.frames += 1
            if unit.isDamaged {
                counters.damagedFrames += 1
                waitingForKeyframe = true
                rtcp += pictureLoss(now: now, force: false)
            }
            let millis = Self.millis(unit.timestamp, clock: 90, origin: &videoOrigin, startedAt: startedAt, now: now)
            let repeated = lastVideoMillis.map { millis <= $0 } ?? false
            if repeated {
                // Dropped as damaged: the converter then waits for the keyframe asked for here.
                counters.damagedFrames += 1
                waitingForKeyframe = true
                rtcp += pictureLoss(now: now, force: false)
            } else {
                lastVideoMillis = millis
            }
            let isKey = unit.containsIDR
            if isKey, !unit.isDamaged, !repeated {
                waitingForKeyframe = false
                lastKeyframe = now
            }
            var annexB: [UInt8] = []
            for nal in unit.nalUnits {
                annexB += [0, 0, 0, 1]
                annexB += nal.readableBytesView
            }
            publish(
                ElementaryPacket(
                    codec: .h264, dtsMillis: millis, ptsMillis: millis, data: annexB, isKeyframe: isKey, isCorrupt: unit.isDamaged || repeated
                ))
        }
        return rtcp
    }

    /// A NACK for the video packets missing now (each asked for again after a while, at most thrice).
    private func videoNACK(now: NIODeadline) -> [ByteBuffer] {
        let lost = videoOrder.missing(now: now)
        guard !lost.isEmpty, let ssrc = videoTrack.ssrc else { return [] }
        counters.nacked += lost.count
        var nack = ByteBuffer()
        RTCPWriter.nack(senderSSRC: reporterSSRC, mediaSSRC: ssrc, lost: lost, into: &nack)
        return [nack]
    }

    private func pictureLoss(now: NIODeadline, force: Bool) -> [ByteBuffer] {
        guard let ssrc = videoTrack.ssrc ?? expectedVideoSSRC else { return [] }
        if !force, let last = lastPictureLoss, now - last < configuration.pictureLossInterval { return [] }
        lastPictureLoss = now
        counters.pictureLosses += 1
        var pli = ByteBuffer()
        RTCPWriter.pli(senderSSRC: reporterSSRC, mediaSSRC: ssrc, into: &pli)
        return [pli]
    }

    // MARK: Audio

    private func audio(_ packet: RTPPacket, now: NIODeadline) {
        guard let opus else { return }
        let millis = Self.millis(packet.header.timestamp, clock: 48, origin: &audioOrigin, startedAt: startedAt, now: now)
        guard let frames = try? opus.transcode(opus: packet.payload, timestampMillis: millis) else { return }
        for frame in frames {
            counters.audioFrames += 1
            publish(
                ElementaryPacket(
                    codec: .aac, dtsMillis: frame.timestampMillis, ptsMillis: frame.timestampMillis, data: frame.adts, isKeyframe: false
                ))
        }
    }

    // MARK: Out

    private func publish(_ packet: ElementaryPacket) {
        guard let session else { return }
        for message in converter.convert(packet) { session.publish(message) }
        if let config = converter.newVideoConfiguration {
            converter.newVideoConfiguration = nil
            session.setVideoInfo(VideoInfo(codec: "h264", width: config.width, height: config.height, fps: 0))
        }
    }

    /// A receiver report for both tracks and a REMB for the video.
    private func report() -> ByteBuffer {
        let blocks = [
            videoTrack.reportBlock(lastSenderReport: 0, delaySinceLastSenderReport: 0),
            audioTrack.reportBlock(lastSenderReport: 0, delaySinceLastSenderReport: 0),
        ].compactMap { $0 }
        var buffer = ByteBuffer()
        RTCPWriter.receiverReport(ssrc: reporterSSRC, reports: blocks, cname: "relay-whip", into: &buffer)
        let ssrcs = [videoTrack.ssrc, audioTrack.ssrc].compactMap { $0 }
        if !ssrcs.isEmpty {
            RTCPWriter.remb(senderSSRC: reporterSSRC, bitrate: configuration.maximumBitrate, ssrcs: ssrcs, into: &buffer)
        }
        return buffer
    }

    /// An RTP timestamp as milliseconds since the ingest started: the track's first packet is
    /// placed at its arrival, the rest follow the RTP clock (`clock` ticks per millisecond).
    static func millis(_ rtp: UInt32, clock: Int64, origin: inout (rtp: UInt32, millis: Int64)?, startedAt: NIODeadline?, now: NIODeadline) -> Int64 {
        guard let base = origin else {
            let arrival = startedAt.map { (now - $0).nanoseconds / 1_000_000 } ?? 0
            origin = (rtp, arrival)
            return arrival
        }
        let ticks = Int64(Int32(bitPattern: rtp &- base.rtp))
        // Keep the origin near: a long stream's 32-bit clock wraps every 13 h (90 kHz).
        let millis = base.millis + ticks / clock
        if abs(ticks) > Int64(Int32.max / 2) { origin = (rtp, millis) }
        return millis
    }
}
