/// The SDP offer a minimal receive-only WHEP client sends, shaped like a browser's: BUNDLE of
/// one audio (Opus) and one video (H.264 packetization-mode 1 at three profiles) m-line,
/// rtcp-mux, `setup:actpass`, NACK and PLI feedback, no extensions.
enum WHEPClientOffer {
    static let opusPayloadType: UInt8 = 111
    /// Constrained Baseline, Main and High, each with packetization-mode 1.
    static let h264PayloadTypes: [(UInt8, String)] = [(102, "42e01f"), (108, "4d001f"), (112, "64001f")]

    static func render(credentials: ICECredentials, fingerprint: DTLSFingerprint, sessionID: UInt64) -> String {
        var lines = [
            "v=0",
            "o=- \(sessionID) 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0 1",
            "a=msid-semantic: WMS",
        ]
        func common(mid: String) -> [String] {
            [
                "c=IN IP4 0.0.0.0",
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=ice-ufrag:\(credentials.ufrag)",
                "a=ice-pwd:\(credentials.password)",
                "a=fingerprint:\(fingerprint.sdpAttributeValue)",
                "a=setup:actpass",
                "a=mid:\(mid)",
                "a=recvonly",
                "a=rtcp-mux",
            ]
        }
        lines.append("m=audio 9 UDP/TLS/RTP/SAVPF \(opusPayloadType)")
        lines += common(mid: "0")
        lines += [
            "a=rtpmap:\(opusPayloadType) opus/48000/2",
            "a=fmtp:\(opusPayloadType) minptime=10;useinbandfec=1",
        ]
        lines.append("m=video 9 UDP/TLS/RTP/SAVPF " + h264PayloadTypes.map { "\($0.0)" }.joined(separator: " "))
        lines += common(mid: "1")
        for (payloadType, profile) in h264PayloadTypes {
            lines += [
                "a=rtpmap:\(payloadType) H264/90000",
                "a=rtcp-fb:\(payloadType) nack",
                "a=rtcp-fb:\(payloadType) nack pli",
                "a=rtcp-fb:\(payloadType) ccm fir",
                "a=fmtp:\(payloadType) level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=\(profile)",
            ]
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
