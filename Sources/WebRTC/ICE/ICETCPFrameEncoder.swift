public import NIOCore

/// The writing half of ``ICETCPFramer`` for a channel pipeline (wrap in
/// `MessageToByteHandler`): prefixes each outbound packet with its 16-bit length.
public struct ICETCPFrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = ByteBuffer

    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        try ICETCPFramer.frame(data, into: &out)
    }
}
