public import NIOCore

/// The RFC 3550 RTP header, with the RFC 8285 header extensions.
///
/// The relay writes one per packet per viewer (`write(into:at:)`, no allocation) in front of
/// payload bytes shared by every viewer; it parses them on ingest and in tests.
public struct RTPHeader: Sendable, Equatable {
    /// Set when the packet ends with padding (the last byte is the padding length).
    public var hasPadding: Bool
    public var marker: Bool
    /// 0...127.
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// Contributing sources, at most 15.
    public var csrcs: [UInt32]
    /// The extension block's "defined by profile" field as received; `nil` when there is no
    /// extension. Writers derive it from `extensions` (one-byte form when every element fits).
    public var extensionProfile: UInt16?
    /// Parsed one-byte or two-byte elements (padding removed). For another profile the whole
    /// block is one element with id 0.
    public var extensions: [RTPHeaderExtension]

    /// Bytes of the fixed header without CSRCs or extensions.
    public static let fixedSize = 12
    public static let version: UInt8 = 2

    public init(
        marker: Bool = false,
        payloadType: UInt8,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        ssrc: UInt32,
        csrcs: [UInt32] = [],
        extensions: [RTPHeaderExtension] = [],
        hasPadding: Bool = false
    ) {
        self.hasPadding = hasPadding
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensionProfile = nil
        self.extensions = extensions
    }

    /// The first extension element with `id`, if any.
    public func extensionData(id: UInt8) -> ByteBuffer? {
        for element in extensions where element.id == id {
            return element.data
        }
        return nil
    }
}
