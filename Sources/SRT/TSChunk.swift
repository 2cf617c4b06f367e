/// One SRT payload of a stream's MPEG-TS (up to 7 packets of 188 bytes), shared by every
/// player of the stream.
struct TSChunk: Sendable, Equatable {
    var bytes: [UInt8]
    /// Starts with PAT/PMT and a keyframe (every chunk of a stream without video).
    let startsKeyframe: Bool
    /// That keyframe's DTS in milliseconds (the stream's timestamps, equal across the rungs
    /// of one source).
    let keyframeTime: Int64?
    /// About how far the stream had got: the time of the latest packet muxed when it was cut.
    let position: Int64

    init(bytes: [UInt8], startsKeyframe: Bool, keyframeTime: Int64?, position: Int64) {
        self.bytes = bytes
        self.startsKeyframe = startsKeyframe
        self.keyframeTime = keyframeTime
        self.position = position
    }

    /// One MPEG-TS null packet (PID 0x1FFF), which every demuxer discards: what a new player's
    /// link carries before its first chunk, so libsrt measures the link's round trip first.
    static let nullPacket: [UInt8] = [0x47, 0x1F, 0xFF, 0x10] + [UInt8](repeating: 0xFF, count: 184)

    /// A copy whose packets with an adaptation field say "discontinuity" (for the first chunk
    /// a player gets from another rung's muxer: its continuity counters do not follow on).
    func markingDiscontinuity() -> TSChunk {
        var copy = self
        var index = 0
        while index + 188 <= copy.bytes.count {
            let hasAdaptationField = copy.bytes[index] == 0x47 && copy.bytes[index + 3] & 0x20 != 0
            if hasAdaptationField, copy.bytes[index + 4] > 0 { copy.bytes[index + 5] |= 0x80 }
            index += 188
        }
        return copy
    }
}
