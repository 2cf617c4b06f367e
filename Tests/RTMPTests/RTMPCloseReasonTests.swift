import Foundation
import NIOCore
import RelayCore
import Testing

@testable import RTMP

/// An error that ends an RTMP connection is classified by its type, not its text.
@Suite struct RTMPCloseReasonTests {
    @Test func socketErrorsAreThePeersAndDecodingErrorsTheProtocols() {
        #expect(RTMPCloseCounter.reason(for: IOError(errnoCode: ECONNRESET, reason: "read(descriptor:pointer:size:)")).metricLabel == "peer_error")
        #expect(RTMPCloseCounter.reason(for: ChannelError.ioOnClosedChannel).metricLabel == "peer_error")
        #expect(RTMPCloseCounter.reason(for: AMF0Error.truncated).metricLabel == "protocol_error")
    }
}
