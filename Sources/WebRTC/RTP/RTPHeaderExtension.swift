public import NIOCore

/// One RFC 8285 header extension element: a local identifier (negotiated in SDP with
/// `a=extmap`) and its value.
///
/// Parsed elements slice the packet's storage. To send a per-packet value (a transport-wide
/// sequence number) without allocating, keep one header per viewer and overwrite the bytes of
/// `data` in place (`data.setInteger(_:at:)`): the buffer stays uniquely referenced, so no copy.
public struct RTPHeaderExtension: Sendable, Equatable {
    /// 1...14 for the one-byte form, 1...255 for the two-byte form.
    public var id: UInt8
    public var data: ByteBuffer

    public init(id: UInt8, data: ByteBuffer) {
        self.id = id
        self.data = data
    }

    public init(id: UInt8, bytes: some Collection<UInt8>) {
        self.init(id: id, data: ByteBuffer(bytes: bytes))
    }
}

extension RTPHeaderExtension {
    /// "defined by profile" value of the one-byte form (RFC 8285 §4.2).
    static let oneByteProfile: UInt16 = 0xBEDE
    /// The two-byte form's profile value, masking its 4 "appbits" (RFC 8285 §4.3).
    static let twoByteProfile: UInt16 = 0x1000
    static let twoByteProfileMask: UInt16 = 0xFFF0

    /// Whether the one-byte form can carry this element.
    var fitsOneByteForm: Bool {
        (1...14).contains(id) && (1...16).contains(data.readableBytes)
    }

    /// Whether the two-byte form can carry this element.
    var fitsTwoByteForm: Bool {
        id >= 1 && data.readableBytes <= 255
    }
}
