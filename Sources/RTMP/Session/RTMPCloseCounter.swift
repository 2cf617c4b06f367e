import Metrics
import NIOCore
import RelayCore

/// Counts connections the relay closed, by ``CloseReason/metricLabel``, in
/// `relay_rtmp_closed_total{reason}`: `stall` (a player that accepts no data), `idle`,
/// `handshake_timeout`, `bad_handshake`, `peer_error` (reset, broken pipe), `protocol_error`
/// (malformed chunks, AMF, unknown types), `pending_overflow` (media before publish was allowed).
/// Refusals by the access policy are counted as `relay_auth_refusals_total` instead.
enum RTMPCloseCounter {
    static func count(category: String) {
        Metrics.Counter(label: "relay_rtmp_closed_total", dimensions: [("reason", category)]).increment()
    }

    /// An error that ends a connection, by its type: the socket's (I/O, channel) is the peer's
    /// failure, anything else (chunk, AMF, command decoding) a broken protocol.
    static func reason(for error: any Error) -> CloseReason {
        error is IOError || error is ChannelError ? .peerError("\(error)") : .protocolError("\(error)")
    }
}
