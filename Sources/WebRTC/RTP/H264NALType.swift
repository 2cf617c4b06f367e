/// The H.264 NAL unit types the RTP packetizers look at (H.264 Table 7-1, RFC 6184 §5.2).
enum H264NALType {
    static let nonIDRSlice: UInt8 = 1
    static let idrSlice: UInt8 = 5
    static let sei: UInt8 = 6
    static let sequenceParameterSet: UInt8 = 7
    static let pictureParameterSet: UInt8 = 8
    static let accessUnitDelimiter: UInt8 = 9
    static let filler: UInt8 = 12
    /// RFC 6184 single-time aggregation packet.
    static let stapA: UInt8 = 24
    /// RFC 6184 fragmentation unit (non-interleaved).
    static let fuA: UInt8 = 28

    /// The type field of a NAL unit header byte (or of an RTP payload's first byte).
    @inline(__always)
    static func of(_ header: UInt8) -> UInt8 { header & 0x1F }

    /// Types a single NAL unit packet may carry (1...23); 0 and 24...31 are not H.264 NAL
    /// units but RTP payload structures or unspecified.
    @inline(__always)
    static func isCodedNAL(_ type: UInt8) -> Bool { (1...23).contains(type) }
}
