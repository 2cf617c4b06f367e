import RelayCore
import Testing

/// Close reasons carry their metric label and their log sentence as one value.
@Suite struct CloseReasonTests {
    @Test func eachReasonHasItsLabelAndSentence() {
        let cases: [(CloseReason, String, String)] = [
            (.stalled(milliseconds: 5000), "stall", "player accepted no data for 5000 ms"),
            (.idle(seconds: 10, publishing: true), "idle", "publisher sent nothing for 10 s"),
            (.idle(seconds: 10, publishing: false), "idle", "idle for 10 s"),
            (.mediaBeforeAuthorization(bytes: 70000), "pending_overflow", "publisher sent 70000 bytes before its publish was authorized"),
            (.peerError("Connection reset by peer (errno: 104)"), "peer_error", "Connection reset by peer (errno: 104)"),
            (.protocolError("chunk size 0 is invalid"), "protocol_error", "chunk size 0 is invalid"),
        ]
        for (reason, label, sentence) in cases {
            #expect(reason.metricLabel == label)
            #expect(reason.description == sentence)
        }
    }
}
