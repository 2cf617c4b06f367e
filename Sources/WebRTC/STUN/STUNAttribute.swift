public import NIOCore

/// An attribute the decoder does not interpret, kept as its type and value (without padding).
public struct STUNAttribute: Equatable, Sendable {
    public let type: STUNAttributeType
    /// The value bytes; a slice sharing the datagram's storage.
    public let value: ByteBuffer

    public init(type: STUNAttributeType, value: ByteBuffer) {
        self.type = type
        self.value = value
    }
}
