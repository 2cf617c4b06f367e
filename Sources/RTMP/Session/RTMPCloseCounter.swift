import Metrics

/// Counts connections the relay closed, by a short reason, in
/// `relay_rtmp_closed_total{reason}`: `stall` (a player that accepts no data), `idle`,
/// `handshake_timeout`, `bad_handshake`, `peer_error` (reset, broken pipe), `protocol_error`
/// (malformed chunks, AMF, unknown types), `pending_overflow` (media before publish was allowed).
/// Refusals by the access policy are counted as `relay_auth_refusals_total` instead.
enum RTMPCloseCounter {
    static func count(_ reason: String) {
        count(category: category(of: reason))
    }

    static func count(category: String) {
        Metrics.Counter(label: "relay_rtmp_closed_total", dimensions: [("reason", category)]).increment()
    }

    static func category(of reason: String) -> String {
        if reason.hasPrefix("player accepted no data") { return "stall" }
        if reason.hasPrefix("idle for") || reason.hasPrefix("publisher sent nothing") { return "idle" }
        if reason.contains("before its publish was authorized") { return "pending_overflow" }
        if reason.contains("errno") || reason.contains("Connection reset") || reason.contains("Broken pipe") { return "peer_error" }
        return "protocol_error"
    }
}
