import Media

/// Cuts the mixer's output (as many samples as each teacher frame gave: 1024 from a 48 kHz AAC
/// teacher, about 1115 from a 44.1 kHz one) into the frames an encoder takes (1024 for AAC, 960
/// for Opus), planar float, 48 kHz stereo, stamped on a continuous 48 kHz timeline from the
/// teacher's times (``OpusTimeline``'s rule: jitter ignored, a jump over 500 ms followed).
/// Owns its sample queue.
final class ProgramAudioFramer {
    let frameSamples: Int
    private let queue: AudioSampleFIFO
    private var timeline = OpusTimeline()

    init(frameSamples: Int) throws(FFmpegError) {
        self.frameSamples = frameSamples
        queue = try AudioSampleFIFO(planarFloatChannels: ProgramAudioMixer.channels, capacity: Int32(4 * frameSamples))
    }

    /// Queues `mix` (stamped `pts` ms); returns the whole frames now ready, each stamped in
    /// 1/48000 s.
    func frames(from mix: MediaFrame, pts: Int64) throws(FFmpegError) -> [(frame: MediaFrame, pts48k: Int64)] {
        timeline.arrive(timestampMs: UInt32(truncatingIfNeeded: max(0, pts)), queued: queue.count)
        try queue.write(mix)
        var ready: [(MediaFrame, Int64)] = []
        while queue.count >= frameSamples {
            let frame = try MediaFrame(
                planarFloatSamples: frameSamples, channels: ProgramAudioMixer.channels, sampleRate: ProgramAudioMixer.sampleRate)
            _ = queue.read(into: frame, count: Int32(frameSamples))
            let stamp = Int64(timeline.stamp(duration: frameSamples))
            frame.pts = stamp
            ready.append((frame, stamp))
        }
        return ready
    }
}
