internal import CFFmpeg
import Foundation

/// Pushes a media file or URL to a live server (RTMP via the `flv` muxer, SRT via `mpegts`) at
/// its native rate: remuxed as it is when it is H.264 + AAC, else re-encoded to them in process
/// (``ReencodingInput``).
///
/// Pacing follows the packets' decoding timestamps against the wall clock. On a write error
/// the output is reopened with backoff and sending resumes at the next video keyframe;
/// with `loop`, the input restarts with timestamps that keep increasing.
/// Not thread-safe except for the ``PushStopSignal``: call ``run(progress:)`` from one thread.
public final class MediaPusher {
    /// What to push where.
    public struct Configuration: Sendable {
        public var input: String
        public var output: String
        public var formatName: String
        public var loop: Bool
        /// Longest wait between reconnect attempts.
        public var maxBackoffSeconds: Double

        public init(input: String, output: String, formatName: String = "flv", loop: Bool = false, maxBackoffSeconds: Double = 5) {
            self.input = input
            self.output = output
            self.formatName = formatName
            self.loop = loop
            self.maxBackoffSeconds = maxBackoffSeconds
        }
    }

    private let configuration: Configuration
    private let stopSignal: PushStopSignal
    private var input: any PushSource
    private var output: OutputFormatContext?

    // Timestamps in microseconds.
    private var loopOffset: Int64 = 0
    private var loopEnd: Int64 = 0
    private var lastDts: [Int64?]
    private var anchor: (wall: Double, dts: Int64)?
    private var waitingForKeyframe = false

    // Statistics.
    private var meter = PushMeter()

    /// Opens the input (nothing is sent until ``run(progress:)``).
    public init(configuration: Configuration, stopSignal: PushStopSignal) throws(PushError) {
        FFmpegLogCapture.install()
        self.configuration = configuration
        self.stopSignal = stopSignal
        input = try openPushSource(url: configuration.input)
        lastDts = Array(repeating: nil, count: input.selected.count)
    }

    /// The input's streams that will be sent.
    public var streams: [MediaStreamInfo] { input.selected.map { MediaStreamInfo(stream: $0) } }

    /// What the input's codecs were when they are re-encoded to H.264/AAC (nil: sent as they are).
    public var reencodedFrom: String? { input.reencodedFrom }

    /// Connects and pushes until the input ends or the stop signal is raised.
    ///
    /// - Throws: ``PushError/connectFailed(_:log:)`` when the first connection is refused;
    ///   ``PushError/input(_:)`` when the input fails.
    public func run(progress report: (PushProgress) -> Void) throws(PushError) -> PushOutcome {
        _ = FFmpegLogCapture.drain()
        do {
            output = try openOutput()
        } catch {
            if stopSignal.isStopped { return .stopped }
            throw .connectFailed(error, log: FFmpegLogCapture.drain())
        }
        while !stopSignal.isStopped {
            let result: MediaInput.ReadResult
            do { result = try input.read() } catch { throw .input(error) }
            switch result {
            case .tryAgain:
                usleep(10_000)
            case .endOfStream:
                if configuration.loop {
                    input = try openPushSource(url: configuration.input)
                    loopOffset = loopEnd
                    lastDts = Array(repeating: nil, count: input.selected.count)
                    continue
                }
                try? output?.finish()
                output = nil
                meter.emit(report, force: true)
                return .endOfInput
            case .packet(let packet):
                try send(packet, report: report)
            }
            meter.emit(report, force: false)
        }
        try? output?.finish()
        output = nil
        meter.emit(report, force: true)
        return .stopped
    }

    private func openOutput() throws(FFmpegError) -> OutputFormatContext {
        try OutputFormatContext(
            url: configuration.output, formatName: configuration.formatName, sources: input.selected,
            interrupt: stopSignal.interruptCallback, options: ["rw_timeout": "10000000"]
        )
    }

    private func send(_ packet: MediaPacket, report: (PushProgress) -> Void) throws(PushError) {
        guard let index = input.outputIndex[packet.streamIndex] else { return }
        let source = input.selected[index]
        let timeBase = source.pointee.time_base
        let isVideo = source.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
        let micro = cffmpeg_AV_TIME_BASE_Q()
        guard let rawDts = packet.dts ?? packet.pts else { return }

        // Timestamps in µs with the loop offset, strictly increasing per stream.
        var dts = av_rescale_q(rawDts, timeBase, micro) + loopOffset
        let pts = av_rescale_q(packet.pts ?? rawDts, timeBase, micro) + loopOffset
        if let last = lastDts[index], dts <= last { dts = last + 1 }
        lastDts[index] = dts
        let duration = packet.duration.map { av_rescale_q($0, timeBase, micro) } ?? 0
        loopEnd = max(loopEnd, dts + max(duration, 1))

        if output == nil {
            reconnect(report: report)
            if stopSignal.isStopped { return }
        }
        if waitingForKeyframe {
            if isVideo && packet.isKeyframe || !input.hasVideo {
                waitingForKeyframe = false
            } else {
                meter.progress.dropped += 1
                return
            }
        }
        pace(to: dts)
        if stopSignal.isStopped { return }

        guard let output else { return }
        let outBase = output.timeBase(ofStream: index)
        let size = packet.size
        packet.pointer.pointee.stream_index = Int32(index)
        packet.pointer.pointee.dts = av_rescale_q(dts, micro, outBase)
        packet.pointer.pointee.pts = max(av_rescale_q(pts, micro, outBase), packet.pointer.pointee.dts)
        packet.pointer.pointee.duration = av_rescale_q(duration, micro, outBase)
        packet.pointer.pointee.pos = -1
        do {
            try output.write(packet)
            meter.bytesSinceReport += size
            if isVideo { meter.progress.framesSent += 1 }
        } catch {
            if stopSignal.isStopped { return }
            self.output = nil
            waitingForKeyframe = true
            meter.progress.dropped += 1
        }
    }

    /// Reopens the output with exponential backoff until it succeeds or the push is stopped.
    private func reconnect(report: (PushProgress) -> Void) {
        if let reopened = meter.reconnect(
            report: report, stop: stopSignal, maxBackoff: configuration.maxBackoffSeconds, open: { try? openOutput() }
        ) {
            output = reopened
            anchor = nil
        }
        waitingForKeyframe = true
    }

    /// Sleeps until the wall clock reaches the packet's place on the timeline.
    private func pace(to dts: Int64) {
        let now = PushMeter.now()
        guard let anchor else {
            self.anchor = (now, dts)
            return
        }
        let target = anchor.wall + Double(dts - anchor.dts) / 1_000_000
        if target - now > 0 { PushMeter.sleep(seconds: min(target - now, 10), unless: stopSignal) }
    }

}
