import NIOCore

/// A ``DatagramOutput`` that keeps what is sent, in memory: two state machines (a session and a
/// viewer) talk through it in tests and in ``WebRTCSendRig``'s handshakes.
final class DatagramCollector: DatagramOutput {
    private(set) var sent: [(datagram: ByteBuffer, address: SocketAddress)] = []

    func send(_ datagram: ByteBuffer, to address: SocketAddress) { sent.append((datagram, address)) }

    /// What was sent since the last call.
    func take() -> [ByteBuffer] {
        defer { sent.removeAll() }
        return sent.map(\.datagram)
    }
}
