import Foundation
import NIOCore
import Testing

@testable import WebRTC

@Suite("SDP parsing")
struct SessionDescriptionParsingTests {
    @Test("Chromium's recvonly (WHEP) offer")
    func chromiumWHEPOffer() throws {
        let sdp = try SDPFixture.chromiumWHEP.parsed()
        #expect(sdp.origin?.hasPrefix("- ") == true)
        #expect(sdp.sessionName == "-")
        #expect(sdp.bundleGroup?.mids == ["0", "1"])
        #expect(sdp.extmapAllowMixed)
        #expect(sdp.media.map(\.kind) == [.audio, .video])

        let audio = sdp.media[0]
        #expect(audio.port == 37176)
        #expect(audio.transportProtocol == "UDP/TLS/RTP/SAVPF")
        #expect(audio.payloadTypes == [111, 63, 9, 0, 8, 13, 110, 126])
        #expect(audio.mid == "0")
        #expect(audio.direction == .recvonly)
        #expect(audio.rtcpMux && audio.rtcpReducedSize)
        #expect(audio.rtpMaps[111] == RTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMaps[9] == RTPMap(payloadType: 9, encodingName: "G722", clockRate: 8000, channels: nil))
        #expect(audio.formatParameters[111]?.parameters == ["minptime": "10", "useinbandfec": "1"])
        #expect(audio.formatParameters[111]?.text == "minptime=10;useinbandfec=1")
        #expect(audio.formatParameters[63]?.parameters == ["111/111": ""])
        #expect(audio.feedback[111] == [RTCPFeedback(type: "transport-cc")])
        #expect(audio.extensionMap(uri: HeaderExtensionURI.mid)?.id == 4)
        #expect(audio.extensionMaps.count == 4)
        #expect(audio.transport.iceUfrag == "1Ic6")
        #expect(audio.transport.icePwd == "+nzUr4PHdR5VNp52mCHtvLV2")
        #expect(audio.transport.iceOptions == ["trickle"])
        #expect(audio.transport.setup == .actpass)
        #expect(audio.transport.fingerprints.count == 1)
        #expect(audio.transport.fingerprints.first?.hashAlgorithm == .sha256)
        #expect(audio.transport.fingerprints.first?.bytes.count == 32)
        #expect(audio.transport.fingerprints.first?.bytes.first == 0xA5)
        #expect(audio.candidates.count == 8)
        #expect(audio.candidates.first?.hasPrefix("3000103902 1 udp 2122194687 127.0.0.1 37176 typ host") == true)
        #expect(audio.attributes.contains { $0.name == "rtcp-xr" && $0.value == "rcvr-rtt=all" })

        let video = sdp.media[1]
        #expect(video.mid == "1")
        #expect(video.payloadTypes.count == 34)
        let h264 = try #require(video.codec(payloadType: 102))
        #expect(h264.rtpMap.isEncoding("h264"))
        #expect(h264.h264PacketizationMode == 1)
        #expect(h264.h264ProfileLevelID == H264ProfileLevelID(profileIDC: 0x42, profileIOP: 0x00, levelIDC: 0x1F))
        #expect(RTCPFeedbackSet(h264.feedback) == .all)
        #expect(video.codec(payloadType: 104)?.h264PacketizationMode == 0)
        #expect(video.codec(payloadType: 103)?.associatedPayloadType == 102)
        #expect(video.codecs.filter { $0.rtpMap.isEncoding("H264") }.map(\.payloadType) == [102, 104, 108, 114, 116, 39, 41, 43])
        #expect(video.extensionMap(uri: HeaderExtensionURI.transportWideCC)?.id == 3)
        #expect(video.extensionMap(uri: HeaderExtensionURI.absoluteSendTime)?.id == 2)
        #expect(video.ssrcs.isEmpty)
    }

    @Test("Chromium's sendonly (WHIP) offer keeps SSRCs and msid")
    func chromiumWHIPOffer() throws {
        let sdp = try SDPFixture.chromiumWHIP.parsed()
        #expect(sdp.media.map(\.direction) == [.sendonly, .sendonly])
        let video = sdp.media[1]
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [1_821_359_280, 2_265_984_910])])
        #expect(video.ssrcs.count == 4)
        #expect(video.ssrcs.first == SSRCAttribute(ssrc: 1_821_359_280, attribute: "cname", value: "fcuiHkyQaBWYQwRt"))
        #expect(
            video.msids == [
                MediaStreamID(
                    streamID: "4c767e71-e6f2-4b93-beec-2356ee54c495", trackID: "960b8a62-2665-48cb-91e1-937022c4df3f")
            ])
        #expect(sdp.media[0].mediaStreamID?.trackID == "2a8f97df-e9bb-4cc1-9606-9449327da04f")
    }

    @Test("Firefox-style offer (hand-written): session-level fingerprint, extmap direction, rtcp-fb:*")
    func firefoxOffer() throws {
        let sdp = try SDPFixture.firefoxWHEP.parsed()
        #expect(sdp.transport.fingerprints.count == 1)
        #expect(sdp.transport.iceOptions == ["trickle"])
        // The session-level fingerprint applies to both m-lines.
        #expect(sdp.media.allSatisfy { $0.transport.fingerprints == sdp.transport.fingerprints })
        #expect(sdp.media.allSatisfy { $0.transport.iceOptions == ["trickle"] })
        let audio = sdp.media[0]
        #expect(audio.candidates.count == 2)
        #expect(audio.endOfCandidates)
        #expect(
            audio.extensionMaps[1]
                == ExtensionMap(
                    id: 2, direction: .recvonly, uri: "urn:ietf:params:rtp-hdrext:csrc-audio-level", extensionAttributes: nil))
        #expect(audio.rtpMaps[9]?.channels == 1)
        #expect(audio.formatParameters[109]?["stereo"] == "1")

        let video = sdp.media[1]
        #expect(video.wildcardFeedback == [RTCPFeedback(type: "goog-remb"), RTCPFeedback(type: "transport-cc")])
        let h264 = try #require(video.codec(payloadType: 126))
        #expect(RTCPFeedbackSet(h264.feedback) == .all)
        #expect(h264.h264PacketizationMode == 1)
        #expect(video.codec(payloadType: 97)?.h264PacketizationMode == 0)
        #expect(video.codec(payloadType: 127)?.associatedPayloadType == 126)
        #expect(video.extensionMap(uri: "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay")?.direction == .recvonly)
    }

    @Test("LF line endings parse like CRLF", arguments: SDPFixture.allCases)
    func lineFeedOnly(fixture: SDPFixture) throws {
        let crlf = try fixture.text()
        let lf = crlf.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(!lf.contains("\r"))
        #expect(try SessionDescription.parse(lf) == SessionDescription.parse(crlf))
    }

    @Test("unknown line types, unknown attributes and blank lines are kept or skipped")
    func unknownLines() throws {
        let text = TestOffer.offer(bundle: nil, TestOffer.video(mid: "v"))
            .replacingOccurrences(of: "t=0 0\r\n", with: "t=0 0\r\nx=whatever\r\nb=AS:30\r\nk=clear:zzz\r\n\r\na=tool:foo\r\n")
            .replacingOccurrences(of: "a=rtcp-mux\r\n", with: "a=rtcp-mux\r\n   \r\na=custom-thing\r\na=x-google-flag:conference\r\n")
        let sdp = try SessionDescription.parse(text)
        #expect(sdp.attributes.map(\.name) == ["tool"])
        #expect(sdp.media[0].attributes.contains { $0.name == "x-google-flag" && $0.value == "conference" && $0.line == 21 })
        #expect(sdp.media[0].attributes.contains { $0.name == "custom-thing" && $0.value == nil })
        #expect(sdp.media[0].mid == "v")
    }

    @Test("a ByteBuffer body parses like its String; invalid UTF-8 is refused")
    func byteBufferBody() throws {
        let text = try SDPFixture.firefoxWHEP.text()
        #expect(try SessionDescription.parse(ByteBuffer(string: text)) == SessionDescription.parse(text))
        var invalid = ByteBuffer(string: "v=0\r\ns=")
        invalid.writeBytes([0xC3, 0x28])
        #expect(throws: SDPError.notUTF8) { try SessionDescription.parse(invalid) }
    }

    @Test("session-level direction and transport apply to m-lines without their own")
    func sessionLevelInheritance() throws {
        let text = """
            v=0\r
            a=sendonly\r
            a=ice-ufrag:sess\r
            a=setup:actpass\r
            m=audio 9/2 UDP/TLS/RTP/SAVPF 111\r
            a=ice-ufrag:own1\r
            m=video 9 UDP/TLS/RTP/SAVPF 96\r
            a=inactive\r
            a=setup:active\r

            """
        let sdp = try SessionDescription.parse(text)
        #expect(sdp.direction == .sendonly)
        #expect(sdp.media[0].port == 9)
        #expect(sdp.media[0].direction == .sendonly)
        #expect(sdp.media[0].transport.iceUfrag == "own1")
        #expect(sdp.media[0].transport.setup == .actpass)
        #expect(sdp.media[1].direction == .inactive)
        #expect(sdp.media[1].transport.iceUfrag == "sess")
        #expect(sdp.media[1].transport.setup == .active)
        #expect(sdp.transport.iceUfrag == "sess")
    }

    @Test("a data channel m-line's formats are not payload types")
    func applicationMedia() throws {
        let sdp = try SessionDescription.parse("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n")
        #expect(sdp.media[0].kind == .application)
        #expect(sdp.media[0].formats == ["webrtc-datachannel"])
        #expect(sdp.media[0].payloadTypes.isEmpty)
        #expect(!sdp.media[0].isDTLSSRTP)
    }

    @Test("fingerprint text round-trips as colon-separated uppercase hex")
    func fingerprintHex() throws {
        let fingerprint = try SDPFingerprint.parse("SHA-256 " + TestOffer.fingerprint.dropFirst(8).lowercased()).get()
        #expect(fingerprint.algorithm == "sha-256")
        #expect(fingerprint.attributeValue == TestOffer.fingerprint)
        #expect(SDPFingerprint.sha256(digest: [0x00, 0x0F, 0xF0]).attributeValue == "sha-256 00:0F:F0")
        // Only hex digits: no sign, no prefix, two per byte.
        #expect((try? SDPFingerprint.parse("sha-1 +F:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00").get()) == nil)
        #expect((try? SDPFingerprint.parse("sha-1 0:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00").get()) == nil)
        #expect(try SDPFingerprint.parse("unknown-hash AB:CD").get().hashAlgorithm == nil)
    }

    @Test("profile-level-id is three bytes of hex")
    func profileLevelID() {
        #expect(H264ProfileLevelID(hex: "42e01f") == H264ProfileLevelID(profileIDC: 0x42, profileIOP: 0xE0, levelIDC: 0x1F))
        #expect(H264ProfileLevelID(hex: "640C1F")?.description == "640c1f")
        for bad in ["-00001", "+42e01", "42e01", "42e01f0", "zz0000", ""] {
            #expect(H264ProfileLevelID(hex: bad) == nil, "\(bad)")
        }
    }
}
