internal import CFFmpeg
import Foundation

/// Generates a test lesson — colour bars with a moving box and a burnt-in wall clock, and a
/// 1 kHz tone — encodes it in process (libx264 + the native AAC encoder) and sends it to an
/// RTMP URL (or any muxer/URL, e.g. a local `.flv` file) at real time.
///
/// The seam with ``MediaPusher`` is ``OutputFormatContext``: the encoders' parameters (with
/// their global-header extradata) become the muxer's streams. Pacing follows the media clock
/// against the wall clock; on a write error the output is reopened with backoff and the next
/// video frame is forced to be a keyframe. Not thread-safe except for the ``PushStopSignal``.
public final class TestSourcePusher {
    /// What to generate and where to send it.
    public struct Configuration: Sendable {
        public var width: Int
        public var height: Int
        public var fps: Int
        public var output: String
        public var formatName: String
        /// Stop (with ``PushOutcome/endOfInput``) after this much media; nil runs until stopped.
        public var durationSeconds: Double?
        /// Video bitrate; nil: 1500 kbit/s scaled by picture area relative to 720p.
        public var videoKbps: Int?
        public var toneHz: Double
        public var maxBackoffSeconds: Double

        public init(
            width: Int = 1280, height: Int = 720, fps: Int = 25, output: String, formatName: String = "flv",
            durationSeconds: Double? = nil, videoKbps: Int? = nil, toneHz: Double = 1000, maxBackoffSeconds: Double = 5
        ) {
            self.width = width
            self.height = height
            self.fps = fps
            self.output = output
            self.formatName = formatName
            self.durationSeconds = durationSeconds
            self.videoKbps = videoKbps
            self.toneHz = toneHz
            self.maxBackoffSeconds = maxBackoffSeconds
        }

        /// The default video bitrate for the picture size.
        public var effectiveVideoKbps: Int {
            videoKbps ?? max(150, 1500 * width * height / (1280 * 720))
        }
    }

    public static let sampleRate = 44100
    public static let audioKbps = 96

    private let configuration: Configuration
    private let stopSignal: PushStopSignal
    private let video: CodecContext
    private let audio: CodecContext
    private let picture: MediaFrame
    private let sound: MediaFrame
    private let pattern: TestPattern
    private let templates: StreamTemplates
    private var output: OutputFormatContext?

    private var videoFrames = 0
    private var audioSamples = 0
    private var phase = 0.0
    private var forceKeyframe = false
    private var anchor = 0.0

    private var meter = PushMeter()

    /// Opens both encoders (nothing is sent until ``run(progress:)``).
    public init(configuration: Configuration, stopSignal: PushStopSignal) throws(PushError) {
        guard configuration.width >= 16, configuration.height >= 16, configuration.width % 2 == 0, configuration.height % 2 == 0,
            (1...120).contains(configuration.fps)
        else {
            throw .input(FFmpegError(code: cffmpeg_AVERROR(EINVAL), operation: "testsrc size/fps"))
        }
        FFmpegLogCapture.install()
        self.configuration = configuration
        self.stopSignal = stopSignal
        do {
            video = try CodecContext(encoderNamed: "libx264")
            try video.openLiveH264(
                width: configuration.width, height: configuration.height,
                timeBase: AVRational(num: 1, den: Int32(configuration.fps)), rate: AVRational(num: Int32(configuration.fps), den: 1),
                gop: configuration.fps * 2, bitrate: Int64(configuration.effectiveVideoKbps) * 1000
            )

            audio = try CodecContext(encoderNamed: "aac")
            let a = audio.pointer
            a.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
            a.pointee.sample_rate = Int32(Self.sampleRate)
            av_channel_layout_default(&a.pointee.ch_layout, 2)
            a.pointee.bit_rate = Int64(Self.audioKbps * 1000)
            a.pointee.time_base = AVRational(num: 1, den: Int32(Self.sampleRate))
            try audio.openEncoder()

            picture = try MediaFrame(yuv420pWidth: configuration.width, height: configuration.height)
            let frameSize = a.pointee.frame_size > 0 ? Int(a.pointee.frame_size) : 1024
            sound = try MediaFrame(audioFor: a, samples: frameSize)
            templates = try StreamTemplates(encoders: [video.pointer, audio.pointer])
        } catch {
            throw .input(error)
        }
        pattern = TestPattern(width: configuration.width, height: configuration.height)
    }

    /// `h264 1280x720 25 fps + aac 44100 Hz stereo`.
    public var streamDescription: String {
        "h264 \(configuration.width)x\(configuration.height) \(configuration.fps) fps \(configuration.effectiveVideoKbps) kbit/s"
            + " + aac \(Self.sampleRate) Hz \(Self.audioKbps) kbit/s (\(Int(configuration.toneHz)) Hz tone)"
    }

    /// Connects and sends until the duration is reached or the stop signal is raised.
    ///
    /// - Throws: ``PushError/connectFailed(_:log:)`` when the first connection is refused;
    ///   ``PushError/input(_:)`` when encoding fails.
    public func run(progress report: (PushProgress) -> Void) throws(PushError) -> PushOutcome {
        _ = FFmpegLogCapture.drain()
        do {
            output = try openOutput()
        } catch {
            if stopSignal.isStopped { return .stopped }
            throw .connectFailed(error, log: FFmpegLogCapture.drain())
        }
        anchor = PushMeter.now()
        let fps = Double(configuration.fps)
        let rate = Double(Self.sampleRate)
        while !stopSignal.isStopped {
            let videoTime = Double(videoFrames) / fps
            let audioTime = Double(audioSamples) / rate
            if let duration = configuration.durationSeconds, min(videoTime, audioTime) >= duration {
                do {
                    for packet in try video.encode(nil) { send(packet, stream: 0, report: report) }
                    for packet in try audio.encode(nil) { send(packet, stream: 1, report: report) }
                } catch {
                    throw .input(error)
                }
                try? output?.finish()
                output = nil
                meter.emit(report, force: true)
                return .endOfInput
            }
            let isVideo = videoTime <= audioTime
            pace(to: isVideo ? videoTime : audioTime)
            if stopSignal.isStopped { break }
            do {
                if isVideo {
                    for packet in try encodeVideo() { send(packet, stream: 0, report: report) }
                } else {
                    for packet in try encodeAudio() { send(packet, stream: 1, report: report) }
                }
            } catch {
                throw .input(error)
            }
            meter.emit(report, force: false)
        }
        try? output?.finish()
        output = nil
        meter.emit(report, force: true)
        return .stopped
    }

    private func encodeVideo() throws(FFmpegError) -> [MediaPacket] {
        try picture.makeWritable()
        pattern.draw(
            y: picture.plane(0), u: picture.plane(1), v: picture.plane(2), frame: videoFrames, fps: configuration.fps,
            clock: Self.clockText())
        picture.pointer.pointee.pts = Int64(videoFrames)
        picture.pointer.pointee.pict_type = forceKeyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
        forceKeyframe = false
        videoFrames += 1
        return try video.encode(picture)
    }

    private func encodeAudio() throws(FFmpegError) -> [MediaPacket] {
        try sound.makeWritable()
        let count = Int(sound.pointer.pointee.nb_samples)
        let channels = Int(audio.pointer.pointee.ch_layout.nb_channels)
        let step = 2 * Double.pi * configuration.toneHz / Double(Self.sampleRate)
        let first = sound.plane(0).base.withMemoryRebound(to: Float.self, capacity: count) { samples in
            for index in 0..<count {
                samples[index] = Float(0.25 * sin(phase))
                phase += step
                if phase > 2 * Double.pi { phase -= 2 * Double.pi }
            }
            return UnsafePointer(samples)
        }
        for channel in 1..<max(channels, 1) {
            sound.plane(channel).base.withMemoryRebound(to: Float.self, capacity: count) { $0.update(from: first, count: count) }
        }
        sound.pointer.pointee.pts = Int64(audioSamples)
        audioSamples += count
        return try audio.encode(sound)
    }

    private func openOutput() throws(FFmpegError) -> OutputFormatContext {
        try OutputFormatContext(
            url: configuration.output, formatName: configuration.formatName, sources: templates.streams,
            interrupt: stopSignal.interruptCallback, options: ["rw_timeout": "10000000"]
        )
    }

    private func send(_ packet: MediaPacket, stream index: Int, report: (PushProgress) -> Void) {
        if output == nil { reconnect(report: report) }
        guard let output, !stopSignal.isStopped else { return }
        let encoderBase = (index == 0 ? video : audio).pointer.pointee.time_base
        let size = packet.size
        packet.pointer.pointee.stream_index = Int32(index)
        av_packet_rescale_ts(packet.pointer, encoderBase, output.timeBase(ofStream: index))
        packet.pointer.pointee.pos = -1
        do {
            try output.write(packet)
            meter.bytesSinceReport += size
            if index == 0 { meter.progress.framesSent += 1 }
        } catch {
            if stopSignal.isStopped { return }
            self.output = nil
            forceKeyframe = true
            meter.progress.dropped += 1
        }
    }

    /// Reopens the output with exponential backoff until it succeeds or the push is stopped.
    private func reconnect(report: (PushProgress) -> Void) {
        if let reopened = meter.reconnect(
            report: report, stop: stopSignal, maxBackoff: configuration.maxBackoffSeconds, open: { try? openOutput() }
        ) {
            output = reopened
        }
        forceKeyframe = true
        // Resume at real time from here instead of bursting to catch up.
        let mediaTime = min(Double(videoFrames) / Double(configuration.fps), Double(audioSamples) / Double(Self.sampleRate))
        anchor = PushMeter.now() - mediaTime
    }

    /// Sleeps until the wall clock reaches `mediaTime` after the start.
    private func pace(to mediaTime: Double) {
        let wait = anchor + mediaTime - PushMeter.now()
        if wait > 0 { PushMeter.sleep(seconds: min(wait, 10), unless: stopSignal) }
    }

    /// Local wall-clock time as `HH:MM:SS.mmm`.
    static func clockText() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(
            format: "%02d:%02d:%02d.%03d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(spec.tv_nsec / 1_000_000))
    }

}
