/// One demuxed access unit as it comes out of MPEG-TS: H.264 in Annex B or AAC in ADTS,
/// with timestamps already in milliseconds.
public struct ElementaryPacket: Sendable {
    public enum Codec: Sendable { case h264, aac }

    public var codec: Codec
    public var dtsMillis: Int64
    public var ptsMillis: Int64
    public var data: [UInt8]
    public var isKeyframe: Bool
    /// The demuxer saw damage (lost TS packets): video waits for the next keyframe.
    public var isCorrupt: Bool

    public init(codec: Codec, dtsMillis: Int64, ptsMillis: Int64, data: [UInt8], isKeyframe: Bool, isCorrupt: Bool = false) {
        self.codec = codec
        self.dtsMillis = dtsMillis
        self.ptsMillis = ptsMillis
        self.data = data
        self.isKeyframe = isKeyframe
        self.isCorrupt = isCorrupt
    }
}
