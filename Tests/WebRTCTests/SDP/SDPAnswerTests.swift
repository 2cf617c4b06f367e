import Foundation
import Testing

@testable import WebRTC

@Suite("SDP answer")
struct SDPAnswerTests {
    static let localFingerprint = SDPFingerprint.sha256(digest: (0..<32).map { UInt8($0 * 7) })

    /// The relay's side: a UDP and a passive TCP candidate, one sender per medium.
    static func local(senders: Bool = true, videoRTX: UInt32? = nil) -> LocalDescription {
        LocalDescription(
            iceUfrag: "relayUfrag",
            icePwd: "relayPasswordOf24Chars+/",
            fingerprint: localFingerprint,
            candidates: [
                ICECandidate(
                    foundation: "1", transport: .udp, priority: ICECandidate.priority(localPreference: 65535),
                    address: "192.0.2.10", port: 50000),
                ICECandidate(
                    foundation: "2", transport: .tcpPassive, priority: ICECandidate.priority(localPreference: 32767),
                    address: "192.0.2.10", port: 50443),
            ],
            audio: senders ? LocalSender(ssrc: 1111, cname: "relay", streamID: "class-7", trackID: "audio") : nil,
            video: senders
                ? LocalSender(ssrc: 2222, rtxSSRC: videoRTX, cname: "relay", streamID: "class-7", trackID: "video") : nil,
            sessionID: 4242
        )
    }

    static func chromiumAnswer(local: LocalDescription = local()) throws -> String {
        let session = try SendNegotiation.negotiate(offer: SDPFixture.chromiumWHEP.parsed())
        return SDPAnswer.render(session, local: local)
    }

    @Test("the answer to Chromium's offer has the expected lines, CRLF-terminated")
    func expectedLines() throws {
        let answer = try Self.chromiumAnswer()
        #expect(answer.hasSuffix("\r\n"))
        #expect(!answer.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!answer.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        let lines = answer.sdpLines
        #expect(
            Array(lines.prefix(7)) == [
                "v=0", "o=- 4242 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=ice-lite", "a=group:BUNDLE 0 1",
                "a=msid-semantic:WMS *",
            ])
        let fingerprint = "a=fingerprint:sha-256 " + Self.localFingerprint.hex
        #expect(Self.localFingerprint.hex.hasPrefix("00:07:0E:15:1C:23:2A:31:38:3F:46"))
        for expected in [
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=video 9 UDP/TLS/RTP/SAVPF 102", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:relayUfrag", "a=ice-pwd:relayPasswordOf24Chars+/", "a=ice-options:trickle", fingerprint,
            "a=setup:passive", "a=sendonly", "a=rtcp-mux", "a=rtcp-rsize",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtcp-fb:111 transport-cc",
            "a=rtpmap:102 H264/90000",
            "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
            "a=rtcp-fb:102 nack", "a=rtcp-fb:102 nack pli", "a=rtcp-fb:102 ccm fir", "a=rtcp-fb:102 goog-remb",
            "a=rtcp-fb:102 transport-cc",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=msid:class-7 audio", "a=ssrc:1111 cname:relay", "a=ssrc:1111 msid:class-7 audio",
            "a=msid:class-7 video", "a=ssrc:2222 cname:relay", "a=ssrc:2222 msid:class-7 video",
            "a=candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host",
            "a=candidate:2 1 tcp 2122317823 192.0.2.10 50443 typ host tcptype passive",
            "a=end-of-candidates",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        for unexpected in ["a=recvonly", "a=setup:actpass", "a=rtpmap:103 rtx/90000", "a=extmap:1 ", "a=rtcp-fb:111 nack"] {
            #expect(!lines.contains { $0.hasPrefix(unexpected) }, "unexpected \(unexpected)")
        }
        // Two m-lines, the ICE and DTLS attributes in each, candidates only in the first.
        #expect(lines.filter { $0.hasPrefix("m=") }.count == 2)
        #expect(lines.filter { $0 == "a=setup:passive" }.count == 2)
        #expect(lines.filter { $0 == fingerprint }.count == 2)
        #expect(lines.filter { $0.hasPrefix("a=candidate:") }.count == 2)
    }

    @Test("each m-line's lines come in the documented order")
    func lineOrder() throws {
        let lines = try Self.chromiumAnswer().sdpLines
        let start = try #require(lines.firstIndex(of: "m=audio 9 UDP/TLS/RTP/SAVPF 111"))
        let end = try #require(lines.firstIndex { $0.hasPrefix("m=video") })
        let audio = Array(lines[start..<end])
        let order = [
            "m=", "c=", "a=mid:", "a=ice-ufrag:", "a=ice-pwd:", "a=ice-options:", "a=fingerprint:", "a=setup:",
            "a=sendonly", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:", "a=fmtp:", "a=rtcp-fb:", "a=extmap:",
            "a=msid:", "a=ssrc:", "a=candidate:", "a=end-of-candidates",
        ]
        let positions = try order.map { prefix in try #require(audio.firstIndex { $0.hasPrefix(prefix) }, "\(prefix)") }
        #expect(positions == positions.sorted())
    }

    @Test("the answer re-parses with our own parser")
    func reparses() throws {
        let answer = try SessionDescription.parse(Self.chromiumAnswer())
        #expect(answer.iceLite)
        #expect(answer.bundleGroup?.mids == ["0", "1"])
        #expect(answer.media.map(\.mid) == ["0", "1"])
        #expect(answer.media.map(\.payloadTypes) == [[111], [102]])
        for media in answer.media {
            #expect(media.direction == .sendonly)
            #expect(media.transport.setup == .passive)
            #expect(media.transport.iceUfrag == "relayUfrag")
            #expect(media.transport.fingerprints == [Self.localFingerprint])
            #expect(media.rtcpMux && media.rtcpReducedSize)
        }
        #expect(answer.media[0].candidates.count == 2)
        #expect(answer.media[0].endOfCandidates)
        #expect(answer.media[1].candidates.isEmpty)
        #expect(answer.media[1].ssrcs.contains(SSRCAttribute(ssrc: 2222, attribute: "cname", value: "relay")))
        #expect(answer.media[1].codec(payloadType: 102)?.h264PacketizationMode == 1)
        #expect(RTCPFeedbackSet(answer.media[1].codec(payloadType: 102)?.feedback ?? []) == .all)

        // Read as an offer (with actpass), it is what a WHIP server accepts from a publisher.
        let asOffer = try Self.chromiumAnswer().replacingOccurrences(of: "a=setup:passive", with: "a=setup:actpass")
        let mirrored = try ReceiveNegotiation.negotiate(offer: SessionDescription.parse(asOffer))
        #expect(mirrored.video?.codec?.payloadType == 102)
        #expect(mirrored.audio?.codec?.payloadType == 111)
        #expect(mirrored.video?.remotePrimarySSRC == 2222)
        #expect(mirrored.remoteFingerprint == Self.localFingerprint)
    }

    @Test("with an RTX SSRC the video m-line adds the offer's RTX payload type and an FID group")
    func rtx() throws {
        let answer = try Self.chromiumAnswer(local: Self.local(videoRTX: 3333))
        let lines = answer.sdpLines
        #expect(lines.contains("m=video 9 UDP/TLS/RTP/SAVPF 102 103"))
        #expect(lines.contains("a=rtpmap:103 rtx/90000"))
        #expect(lines.contains("a=fmtp:103 apt=102"))
        #expect(lines.contains("a=ssrc-group:FID 2222 3333"))
        #expect(lines.contains("a=ssrc:3333 cname:relay"))
        let video = try SessionDescription.parse(answer).media[1]
        #expect(video.codec(payloadType: 103)?.associatedPayloadType == 102)
    }

    @Test("rejected m-lines are answered with port 0 and stay out of the BUNDLE group")
    func rejected() throws {
        let text = TestOffer.offer(
            bundle: ["0", "1", "2"], TestOffer.audio(), TestOffer.video(),
            TestOffer.media("application", mid: "2", formats: "webrtc-datachannel", lines: [], proto: "UDP/DTLS/SCTP"))
        let session = try SendNegotiation.negotiate(offer: SessionDescription.parse(text))
        let answer = SDPAnswer.render(session, local: Self.local())
        let lines = answer.sdpLines
        #expect(lines.contains("a=group:BUNDLE 0 1"))
        #expect(lines.contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel"))
        #expect(Array(lines.suffix(3)) == ["m=application 0 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=mid:2"])
        let parsed = try SessionDescription.parse(answer)
        #expect(parsed.media.map(\.port) == [9, 9, 0])
    }

    @Test("a Firefox answer echoes its ids and fmtp; a direction override applies to every m-line")
    func firefoxAndDirectionOverride() throws {
        let session = try SendNegotiation.negotiate(offer: SDPFixture.firefoxWHEP.parsed())
        var local = Self.local()
        local.direction = .inactive
        local.iceOptions = []
        let lines = SDPAnswer.render(session, local: local).sdpLines
        #expect(lines.contains("m=video 9 UDP/TLS/RTP/SAVPF 126"))
        #expect(lines.contains("m=audio 9 UDP/TLS/RTP/SAVPF 109"))
        #expect(lines.contains("a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1"))
        #expect(lines.contains("a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"))
        #expect(lines.filter { $0 == "a=inactive" }.count == 2)
        #expect(!lines.contains { $0.hasPrefix("a=ssrc") || $0.hasPrefix("a=msid:") })  // inactive: nothing sent
        #expect(!lines.contains { $0.hasPrefix("a=ice-options") })
        #expect(lines.filter { $0 == "a=rtcp-rsize" }.count == 1)
    }

    @Test("control characters in local values cannot start new lines")
    func localValuesStaySingleLine() throws {
        var local = Self.local()
        local.video?.cname = "relay\r\na=injected"
        let lines = try Self.chromiumAnswer(local: local).sdpLines
        #expect(!lines.contains("a=injected"))
        #expect(lines.contains("a=ssrc:2222 cname:relaya=injected"))
    }

    @Test("ICE candidate priorities follow RFC 8445")
    func candidatePriority() {
        #expect(ICECandidate.priority(localPreference: 65535) == 2_130_706_431)
        #expect(ICECandidate.priority(typePreference: 0, localPreference: 0, component: 1) == 255)
    }
}
