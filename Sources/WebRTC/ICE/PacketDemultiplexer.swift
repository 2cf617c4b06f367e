public import NIOCore

/// What a datagram arriving on the media port is, by RFC 7983's first-byte ranges.
public enum DatagramKind: Sendable, Equatable {
    case stun
    case dtls
    case rtp
    case rtcp
    /// ZRTP, TURN channel data, empty datagrams, and anything else: dropped.
    case unknown
}

/// Sorts datagrams sharing one UDP (or ICE-TCP) port between STUN, DTLS and SRTP/SRTCP
/// (RFC 7983 section 7), without reading past the second byte or allocating.
public enum PacketDemultiplexer {
    /// Classifies by the first byte: 0–3 STUN, 20–63 DTLS, 128–191 RTP or RTCP. RTCP and RTP
    /// are told apart by the second byte (RFC 5761 section 4): RTCP packet types 192–223
    /// (SR, RR, SDES, BYE, APP, RTPFB, PSFB, ...) sit where RTP would have the marker bit set
    /// and payload types 64–95, which RTP multiplexed with RTCP must not use.
    public static func classify(_ datagram: ByteBuffer) -> DatagramKind {
        guard let first = datagram.getInteger(at: datagram.readerIndex, as: UInt8.self) else { return .unknown }
        switch first {
        case 0...3:
            return .stun
        case 20...63:
            return .dtls
        case 128...191:
            guard let second = datagram.getInteger(at: datagram.readerIndex + 1, as: UInt8.self) else {
                return .unknown
            }
            return (192...223).contains(second) ? .rtcp : .rtp
        default:
            return .unknown
        }
    }
}
