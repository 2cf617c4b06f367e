import Media

/// What ``ProgramAudioMixer`` makes of one teacher audio frame: the program's audio and, for
/// each on-stage site, the program without that site's own voice (mix-minus: what its own
/// players get, so its classroom hears no echo). Planar float, 48 kHz stereo, the same samples
/// and time (the teacher frame's) in each.
struct ProgramAudioMix {
    let pts: Int64
    let program: MediaFrame
    let mixMinus: [String: MediaFrame]
}
