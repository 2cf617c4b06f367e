public import NIOCore

/// The server side of the RTMP handshake (RTMP spec 5.2) as a state machine without I/O.
///
/// C0+C1 in → S0+S1+S2 out; then C2 in → done. S1 carries a zero version so digest-aware
/// clients (librtmp, ffmpeg) fall back to the simple handshake; S2 echoes C1.
public struct RTMPHandshake: Sendable {
    public static let version: UInt8 = 3
    public static let packetSize = 1536

    public enum State: Sendable, Equatable {
        case awaitingC0C1
        case awaitingC2
        case done
    }

    public enum Step: Sendable {
        /// Not enough bytes yet.
        case needMoreData
        /// Send these bytes (S0 S1 S2) to the client.
        case reply(ByteBuffer)
        /// The handshake is complete; anything left in the buffer is chunk data.
        case complete
    }

    public private(set) var state: State = .awaitingC0C1
    private let serverEpoch: UInt32

    public init(serverEpoch: UInt32 = 0) {
        self.serverEpoch = serverEpoch
    }

    public mutating func feed(_ buffer: inout ByteBuffer) throws(RTMPProtocolError) -> Step {
        switch state {
        case .awaitingC0C1:
            guard let c0 = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMoreData }
            // Reject early, before waiting for C1, so garbage is refused at its first byte.
            guard c0 == Self.version else { throw .unsupportedVersion(c0) }
            guard buffer.readableBytes >= 1 + Self.packetSize else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 1)
            let c1 = buffer.readSlice(length: Self.packetSize)!
            var reply = ByteBuffer()
            reply.reserveCapacity(1 + 2 * Self.packetSize)
            reply.writeInteger(Self.version)
            // S1: time, zero, random.
            reply.writeInteger(serverEpoch)
            reply.writeInteger(UInt32(0))
            // One system random seed per connection, stretched with SplitMix64: S1 needs no
            // cryptographic randomness, and 191 getrandom calls per connection showed up under load.
            var seed = UInt64.random(in: .min ... .max)
            for _ in 0..<(Self.packetSize - 8) / 8 {
                seed &+= 0x9E37_79B9_7F4A_7C15
                var z = seed
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                reply.writeInteger(z ^ (z >> 31))
            }
            // S2: echo of C1 (its time, then ours, then its random bytes).
            let clientTime = c1.getInteger(at: c1.readerIndex, as: UInt32.self) ?? 0
            reply.writeInteger(clientTime)
            reply.writeInteger(serverEpoch)
            reply.writeImmutableBuffer(c1.getSlice(at: c1.readerIndex + 8, length: Self.packetSize - 8)!)
            state = .awaitingC2
            return .reply(reply)
        case .awaitingC2:
            guard buffer.readableBytes >= Self.packetSize else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: Self.packetSize)
            state = .done
            return .complete
        case .done:
            return .complete
        }
    }
}
