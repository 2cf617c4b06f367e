public import NIOCore

/// One packetized RTP payload as the stream produces it, shared by every viewer: each viewer
/// only writes its own 12-byte header (SSRC, sequence number, timestamp) in front of `bytes`.
public struct RTPPayload: Sendable, Equatable {
    public var bytes: ByteBuffer
    /// The RTP marker bit: for video, the last packet of an access unit.
    public var marker: Bool

    public init(bytes: ByteBuffer, marker: Bool) {
        self.bytes = bytes
        self.marker = marker
    }
}
