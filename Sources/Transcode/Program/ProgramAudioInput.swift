import Media

/// One voice of the program's mix: its decoded audio converted to the mix's format (interleaved
/// float at the mix's rate and channel count) and queued until the teacher's audio takes it. Owns its resampler
/// (made again when the input's shape changes) and its queue, which never holds more than
/// `limit` samples (the oldest go: a site's audio must not lag). A site's voice starts once
/// `prebuffer` samples are queued, and waits for as many again after running dry, so network
/// jitter costs a short pause now and then, not a click in every frame.
final class ProgramAudioInput {
    private var resampler: AudioResampler?
    private let queue: AudioSampleFIFO
    private let limit: Int
    private let prebuffer: Int
    private var primed: Bool
    private let rate: Int32
    private let channels: Int32

    init(limit: Int, prebuffer: Int, rate: Int32, channels: Int32) throws(FFmpegError) {
        queue = try AudioSampleFIFO(interleavedFloatChannels: channels, capacity: Int32(limit))
        self.rate = rate
        self.channels = channels
        self.limit = limit
        self.prebuffer = prebuffer
        primed = prebuffer == 0
    }

    /// Samples waiting.
    var queued: Int { queue.count }

    /// Converts `frame` and queues it.
    func add(_ frame: MediaFrame) throws(FFmpegError) {
        if resampler?.accepts(frame) != true {
            resampler = try AudioResampler(like: frame, interleavedFloatChannels: channels, rate: rate)
        }
        try resampler?.convert(frame, into: queue)
        queue.drain(queue.count - limit)
    }

    /// Takes `count` samples into `samples` (interleaved, resized to fit), silence where
    /// fewer are queued or while the prebuffer fills.
    func take(_ count: Int, into samples: inout [Float]) {
        let length = count * Int(channels)
        if samples.count != length { samples = [Float](repeating: 0, count: length) }
        if !primed, queue.count >= prebuffer { primed = true }
        let read = primed ? queue.read(interleavedFloats: &samples, count: count) : 0
        if read < count, prebuffer > 0 { primed = false }
        for index in (read * Int(channels))..<length { samples[index] = 0 }
    }
}
