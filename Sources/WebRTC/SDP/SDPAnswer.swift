/// Writes the SDP answer for a negotiated offer: ICE-lite, DTLS passive, one BUNDLE transport,
/// one codec per accepted m-line (plus its RTX when both sides have it), rejected m-lines with
/// port 0, CRLF line endings.
enum SDPAnswer {
    /// The answer text. Candidates and `a=end-of-candidates` go on the first accepted m-line
    /// (the BUNDLE transport); every accepted m-line repeats the ICE and DTLS attributes, as
    /// browsers do.
    static func render(_ negotiated: NegotiatedSession, local: LocalDescription) -> String {
        var writer = Lines()
        writer.add("v=0")
        writer.add("o=- \(local.sessionID) 2 IN IP4 127.0.0.1")
        writer.add("s=-")
        writer.add("t=0 0")
        writer.add("a=ice-lite")
        if !negotiated.bundleMids.isEmpty {
            writer.add("a=group:BUNDLE " + negotiated.bundleMids.joined(separator: " "))
        }
        writer.add("a=msid-semantic:WMS *")
        let firstAccepted = negotiated.media.first(where: \.isAccepted)?.index
        for medium in negotiated.media {
            if let codec = medium.codec {
                renderAccepted(
                    medium, codec: codec, setup: negotiated.localSetup, local: local,
                    withCandidates: medium.index == firstAccepted, into: &writer)
            } else {
                renderRejected(medium, into: &writer)
            }
        }
        return writer.text
    }

    private static func renderAccepted(
        _ medium: NegotiatedMedium, codec: NegotiatedCodec, setup: DTLSSetupRole, local: LocalDescription,
        withCandidates: Bool,
        into writer: inout Lines
    ) {
        let direction = local.direction ?? medium.direction
        // Stream lines only where the relay sends: a WHIP (recvonly) answer announces no SSRC.
        let sender = direction.sends ? local.sender(for: medium.kind) : nil
        let rtx: (payloadType: UInt8, ssrc: UInt32)? = {
            guard let payloadType = codec.rtxPayloadType, let ssrc = sender?.rtxSSRC else { return nil }
            return (payloadType, ssrc)
        }()
        var payloadTypes = "\(codec.payloadType)"
        if let rtx { payloadTypes += " \(rtx.payloadType)" }
        writer.add("m=\(medium.kind.token) 9 \(medium.transportProtocol) \(payloadTypes)")
        writer.add("c=IN IP4 0.0.0.0")
        if let mid = medium.mid { writer.add("a=mid:\(mid)") }
        writer.add("a=ice-ufrag:\(local.iceUfrag)")
        writer.add("a=ice-pwd:\(local.icePwd)")
        if !local.iceOptions.isEmpty { writer.add("a=ice-options:" + local.iceOptions.joined(separator: " ")) }
        writer.add("a=fingerprint:\(local.fingerprint.attributeValue)")
        writer.add("a=setup:\(setup)")
        writer.add("a=\(direction)")
        writer.add("a=rtcp-mux")
        if medium.rtcpReducedSize { writer.add("a=rtcp-rsize") }
        writer.add("a=rtpmap:\(codec.rtpMap.attributeValue)")
        if let fmtp = codec.formatParameters { writer.add("a=fmtp:\(codec.payloadType) \(fmtp.text)") }
        for feedback in codec.feedback.attributeTexts { writer.add("a=rtcp-fb:\(codec.payloadType) \(feedback)") }
        if let rtx {
            writer.add("a=rtpmap:\(rtx.payloadType) rtx/\(codec.clockRate)")
            writer.add("a=fmtp:\(rtx.payloadType) apt=\(codec.payloadType)")
        }
        for headerExtension in medium.headerExtensions { writer.add("a=extmap:\(headerExtension.attributeValue)") }
        if let sender {
            let msid = "\(sender.streamID) \(sender.trackID)"
            writer.add("a=msid:\(msid)")
            if let rtx { writer.add("a=ssrc-group:FID \(sender.ssrc) \(rtx.ssrc)") }
            for ssrc in [sender.ssrc] + (rtx.map { [$0.ssrc] } ?? []) {
                writer.add("a=ssrc:\(ssrc) cname:\(sender.cname)")
                writer.add("a=ssrc:\(ssrc) msid:\(msid)")
            }
        }
        if withCandidates {
            for candidate in local.candidates { writer.add("a=candidate:\(candidate.attributeValue)") }
            writer.add("a=end-of-candidates")
        }
    }

    private static func renderRejected(_ medium: NegotiatedMedium, into writer: inout Lines) {
        let formats = medium.offeredFormats.isEmpty ? "0" : medium.offeredFormats.joined(separator: " ")
        writer.add("m=\(medium.kind.token) 0 \(medium.transportProtocol) \(formats)")
        writer.add("c=IN IP4 0.0.0.0")
        if let mid = medium.mid { writer.add("a=mid:\(mid)") }
    }

    /// CRLF-terminated lines; each line loses any control character, so no value can start a
    /// line of its own.
    private struct Lines {
        private(set) var text = ""

        mutating func add(_ line: String) {
            text += SDPText.singleLine(line)
            text += "\r\n"
        }
    }
}
