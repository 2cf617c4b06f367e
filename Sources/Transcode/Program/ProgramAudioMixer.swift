import Media

/// Mixes the teacher's audio with the on-stage sites' audio for the program, and makes each
/// site's mix-minus (the mix without its own voice). The teacher's audio drives the timing:
/// each teacher frame gives one mix of as many samples, with its time; a site contributes what
/// it has queued by then, 40 ms behind its arrival (silence where it has nothing: a silent, late
/// or absent site costs the program nothing). Voices are summed at their own levels and clipped to full scale, not
/// scaled down by their number (libavfilter's `amix` halves two voices unless `normalize=0`,
/// and waits for every input, where the teacher must never wait for a site). The mix is at
/// `rate` with `channels` (the transcoder mixes at the teacher's, so its rungs' encoders take
/// the mix as they take the teacher's frames). Owned by one thread.
final class ProgramAudioMixer {
    static let sampleRate: Int32 = 48_000
    static let channels: Int32 = 2
    /// The most a site's queue keeps: 200 ms at 48 kHz, 218 ms at 44.1 kHz (the oldest samples go beyond).
    static let maximumQueued = 9_600
    /// What a site's queue holds before its voice starts (again): 40 ms of network jitter (at 48 kHz).
    static let prebuffer = 1_920

    /// The mix's sample rate and channel count.
    let rate: Int32
    let channels: Int32
    private let teacher: ProgramAudioInput
    private var inputs: [String: ProgramAudioInput] = [:]
    /// The on-stage sites, in stage order.
    private(set) var sites: [String] = []
    private var teacherSamples: [Float] = []
    private var siteSamples: [Float] = []
    private var sum: [Float] = []

    init(rate: Int32 = ProgramAudioMixer.sampleRate, channels: Int32 = ProgramAudioMixer.channels) throws(FFmpegError) {
        self.rate = rate
        self.channels = channels
        teacher = try ProgramAudioInput(limit: 4 * Self.maximumQueued, prebuffer: 0, rate: rate, channels: channels)
    }

    /// Puts `sites` on stage: sites that left lose what they had queued.
    func setStage(_ sites: [String]) {
        self.sites = sites
        inputs = inputs.filter { sites.contains($0.key) }
    }

    /// Queues a decoded frame of `site`'s audio (ignored for a site not on stage).
    func add(site: String, frame: MediaFrame) throws(FFmpegError) {
        guard sites.contains(site) else { return }
        if inputs[site] == nil {
            inputs[site] = try ProgramAudioInput(
                limit: Self.maximumQueued, prebuffer: Self.prebuffer, rate: rate, channels: channels)
        }
        try inputs[site]?.add(frame)
    }

    /// Mixes the next teacher frame with the sites; nil while the teacher's resampler holds
    /// every sample back.
    func mix(teacher frame: MediaFrame) throws(FFmpegError) -> ProgramAudioMix? {
        try teacher.add(frame)
        let count = teacher.queued
        guard count > 0 else { return nil }
        teacher.take(count, into: &teacherSamples)
        sum = teacherSamples
        var voices: [(site: String, samples: [Float])] = []
        for site in sites {
            guard let input = inputs[site] else { continue }
            input.take(count, into: &siteSamples)
            for index in sum.indices { sum[index] += siteSamples[index] }
            voices.append((site, siteSamples))
        }
        let program = try planarFrame(count, sum, minus: nil)
        var mixMinus: [String: MediaFrame] = [:]
        for site in sites {
            mixMinus[site] = try planarFrame(count, sum, minus: voices.first { $0.site == site }?.samples)
        }
        return ProgramAudioMix(pts: frame.pts, program: program, mixMinus: mixMinus)
    }

    /// A planar frame of `mix` (interleaved), less `voice` when given, clipped to ±1.
    private func planarFrame(_ count: Int, _ mix: [Float], minus voice: [Float]?) throws(FFmpegError) -> MediaFrame {
        let channels = Int(self.channels)
        let out = try MediaFrame(planarFloatSamples: count, channels: self.channels, sampleRate: rate)
        for channel in 0..<channels {
            let plane = out.floatChannel(channel)
            for sample in 0..<count {
                let index = sample * channels + channel
                let value = mix[index] - (voice?[index] ?? 0)
                plane[sample] = min(1, max(-1, value))
            }
        }
        return out
    }
}
