import Foundation
import Testing

@testable import WebRTC

@Suite("SDP negotiation for WHEP (sending)")
struct SendNegotiationTests {
    @Test("Chromium: the first H.264 packetization-mode=1 and opus, with feedback and extmap ids")
    func chromium() throws {
        let session = try SendNegotiation.negotiate(offer: SDPFixture.chromiumWHEP.parsed())
        #expect(session.role == .send)
        #expect(session.remoteICEUfrag == "1Ic6")
        #expect(session.remoteICEPwd == "+nzUr4PHdR5VNp52mCHtvLV2")
        #expect(session.remoteICEOptions == ["trickle"])
        #expect(session.remoteFingerprint.hashAlgorithm == .sha256)
        #expect(session.remoteFingerprint.hex.hasPrefix("A5:56:E3"))
        #expect(session.remoteSetup == .actpass)
        #expect(session.localSetup == .passive)
        #expect(session.bundleMids == ["0", "1"])
        #expect(session.media.allSatisfy { $0.isAccepted })
        #expect(session.remoteCandidates.count == 16)

        let video = try #require(session.video)
        let h264 = try #require(video.codec)
        #expect(video.mid == "1")
        #expect(video.direction == .sendonly)
        #expect(video.rtcpReducedSize)
        #expect(h264.payloadType == 102)
        #expect(h264.encodingName == "H264")
        #expect(h264.clockRate == 90000)
        #expect(h264.rtxPayloadType == 103)
        #expect(h264.feedback == .all)
        #expect(h264.formatParameters?.text == "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f")
        #expect(h264.h264ProfileLevelID?.profileIDC == 0x42)
        #expect(video.midExtensionID == 4)
        #expect(video.absoluteSendTimeExtensionID == 2)
        #expect(video.transportWideCCExtensionID == 3)
        #expect(video.headerExtensions.allSatisfy { $0.direction == nil })

        let audio = try #require(session.audio)
        let opus = try #require(audio.codec)
        #expect(audio.mid == "0")
        #expect(opus.payloadType == 111)
        #expect(opus.channels == 2)
        #expect(opus.feedback == [.transportWideCongestionControl])
        #expect(opus.formatParameters?.text == "minptime=10;useinbandfec=1")
        #expect(opus.rtxPayloadType == nil)
        #expect(audio.midExtensionID == 4)
        #expect(audio.transportWideCCExtensionID == 3)
    }

    @Test(
        "the preferred profile_idc picks the matching H.264 payload type",
        arguments: [
            (UInt8?.none, UInt8(102), UInt8?.some(103)),
            (H264ProfileLevelID.baseline, 102, 103),
            (H264ProfileLevelID.main, 116, 117),
            (0xF4, 41, 42),
            (H264ProfileLevelID.high, 102, 103),  // not offered: falls back to the first pm=1
        ])
    func profilePreference(preferred: UInt8?, payloadType: UInt8, rtx: UInt8?) throws {
        let session = try SendNegotiation.negotiate(
            offer: SDPFixture.chromiumWHEP.parsed(), preferredH264ProfileIDC: preferred)
        #expect(session.video?.codec?.payloadType == payloadType)
        #expect(session.video?.codec?.rtxPayloadType == rtx)
    }

    @Test("Firefox (hand-written): pt 126 not 97, opus 109, rtcp-fb:* feedback, session-level fingerprint")
    func firefox() throws {
        let offer = try SDPFixture.firefoxWHEP.parsed()
        let session = try SendNegotiation.negotiate(offer: offer, preferredH264ProfileIDC: H264ProfileLevelID.high)
        let video = try #require(session.video?.codec)
        #expect(video.payloadType == 126)
        #expect(video.rtxPayloadType == 127)
        #expect(video.feedback == .all)
        #expect(video.formatParameters?.text == "profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1")
        let audio = try #require(session.audio?.codec)
        #expect(audio.payloadType == 109)
        #expect(audio.feedback == [])  // Firefox offers no feedback for opus; rtcp-fb:* is the video's
        #expect(session.remoteFingerprint == offer.transport.fingerprints[0])
        #expect(session.remoteICEUfrag == "3f9a1c7e")
        #expect(session.video?.headerExtensions.map(\.id) == [3, 4, 7])
        #expect(session.audio?.headerExtensions.map(\.id) == [3])
        #expect(session.remoteCandidates.count == 2)
    }

    @Test("an extmap's direction decides whether the relay may send it, and is answered reversed")
    func extmapDirection() throws {
        let uri = HeaderExtensionURI.transportWideCC
        func negotiated(_ line: String) throws -> NegotiatedMedium? {
            let text = try SDPFixture.firefoxWHEP.text().replacingSDPLines(startingWith: "a=extmap:7 ", with: line)
            return try SendNegotiation.negotiate(offer: SessionDescription.parse(text)).video
        }
        #expect(
            try negotiated("a=extmap:7/recvonly \(uri)")?.headerExtensions.last
                == NegotiatedHeaderExtension(id: 7, uri: uri, direction: .sendonly))
        #expect(try negotiated("a=extmap:7/sendrecv \(uri)")?.headerExtensions.last?.direction == .sendonly)
        #expect(try negotiated("a=extmap:7/sendonly \(uri)")?.transportWideCCExtensionID == nil)
        #expect(try negotiated("a=extmap:7/inactive \(uri)")?.transportWideCCExtensionID == nil)
    }

    @Test("a data channel and a second video are rejected, not fatal")
    func rejectsWhatItCannotServe() throws {
        let text = TestOffer.offer(
            bundle: ["0", "1", "2", "3"],
            TestOffer.audio(), TestOffer.video(),
            TestOffer.media(
                "application", mid: "2", formats: "webrtc-datachannel", lines: ["a=sctp-port:5000"],
                proto: "UDP/DTLS/SCTP"),
            TestOffer.video(mid: "3"))
        let session = try SendNegotiation.negotiate(offer: SessionDescription.parse(text))
        #expect(session.media.map(\.isAccepted) == [true, true, false, false])
        #expect(session.media[2].rejectionReason == "data channels are not served")
        #expect(session.media[3].rejectionReason == "only one video m-line is served")
        #expect(session.bundleMids == ["0", "1"])
        #expect(session.media[2].direction == .inactive)
    }

    @Test("other m-lines the relay cannot serve are rejected")
    func rejections() throws {
        // Audio without opus, audio the offer disabled, audio outside the BUNDLE, RTP without DTLS.
        let pcmu = TestOffer.offer(TestOffer.audio(lines: ["a=rtpmap:0 PCMU/8000"]), TestOffer.video())
        #expect(try SendNegotiation.negotiate(offer: .parse(pcmu)).media[0].rejectionReason == "it has no opus/48000/2")

        let disabled = TestOffer.offer(TestOffer.audio(), TestOffer.video())
            .replacingOccurrences(of: "m=audio 9 ", with: "m=audio 0 ")
        #expect(try SendNegotiation.negotiate(offer: .parse(disabled)).media[0].isAccepted == false)

        let unbundled = TestOffer.offer(bundle: ["1"], TestOffer.audio(), TestOffer.video())
        let session = try SendNegotiation.negotiate(offer: .parse(unbundled))
        #expect(session.media[0].rejectionReason == "it is not in the BUNDLE group")
        #expect(session.bundleMids == ["1"])

        let plainRTP = TestOffer.offer(
            TestOffer.media("audio", mid: "0", formats: "111", lines: TestOffer.opusLines, proto: "RTP/AVP"),
            TestOffer.video())
        #expect(try SendNegotiation.negotiate(offer: .parse(plainRTP)).media[0].rejectionReason?.contains("DTLS-SRTP") == true)

        let inactive = TestOffer.offer(TestOffer.audio(direction: "inactive"), TestOffer.video())
        #expect(try SendNegotiation.negotiate(offer: .parse(inactive)).media[0].rejectionReason == "it is inactive")
    }

    @Test("a single audio m-line needs no BUNDLE; the answer then has no group")
    func audioOnly() throws {
        let text = TestOffer.offer(bundle: nil, TestOffer.audio())
        let session = try SendNegotiation.negotiate(offer: SessionDescription.parse(text))
        #expect(session.audio?.codec?.payloadType == 111)
        #expect(session.video == nil)
        #expect(session.bundleMids.isEmpty)
    }

    @Test("a sendrecv offer is answered sendonly; no a=setup is taken as active")
    func sendrecvAndMissingSetup() throws {
        let text = TestOffer.offer(TestOffer.audio(direction: "sendrecv"), TestOffer.video(direction: "sendrecv"))
            .removingSDPLines { $0.hasPrefix("a=setup") }
        let session = try SendNegotiation.negotiate(offer: SessionDescription.parse(text))
        #expect(session.media.map(\.direction) == [.sendonly, .sendonly])
        #expect(session.remoteSetup == nil)
        #expect(session.localSetup == .passive)
    }

    @Test(
        "offers the relay refuses, with a message saying why",
        arguments: [
            (
                "sendonly m-line", TestOffer.offer(TestOffer.audio(direction: "sendonly"), TestOffer.video()),
                SDPError.wrongDirection(medium: "audio (mid 0)", offered: .sendonly, endpoint: "WHEP", expected: "recvonly or sendrecv"),
                "sendonly"
            ),
            (
                "no BUNDLE", TestOffer.offer(bundle: nil, TestOffer.audio(), TestOffer.video()),
                .missingBundle(mediaCount: 2), "BUNDLE"
            ),
            (
                "BUNDLE of an unknown mid", TestOffer.offer(bundle: ["0", "7"], TestOffer.audio(), TestOffer.video()),
                .bundleNamesUnknownMid("'7'"), "names mid '7'"
            ),
            (
                "no rtcp-mux",
                TestOffer.offer(
                    TestOffer.audio(),
                    TestOffer.media("video", mid: "1", formats: "102", lines: TestOffer.h264Lines, rtcpMux: false)),
                .missingRTCPMux(medium: "video (mid 1)"), "a=rtcp-mux"
            ),
            (
                "video VP8 only",
                TestOffer.offer(
                    TestOffer.audio(),
                    TestOffer.video(formats: "96 97", lines: ["a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96"])),
                .noH264PacketizationMode1, "the offer's video has no H.264 with packetization-mode=1"
            ),
            (
                "H.264 packetization-mode=0 only",
                TestOffer.offer(
                    TestOffer.audio(),
                    TestOffer.video(formats: "97", lines: ["a=rtpmap:97 H264/90000", "a=fmtp:97 profile-level-id=42e01f"])),
                .noH264PacketizationMode1, "packetization-mode=1"
            ),
            (
                "only a data channel",
                TestOffer.offer(
                    bundle: ["d"],
                    TestOffer.media("application", mid: "d", formats: "webrtc-datachannel", lines: [], proto: "UDP/DTLS/SCTP")),
                .noUsableMedia(endpoint: "WHEP", reasons: ["application (mid d): data channels are not served"]),
                "no video and no audio"
            ),
            (
                "a=setup:passive",
                TestOffer.offer(TestOffer.audio(), TestOffer.video()).replacingOccurrences(
                    of: "a=setup:actpass", with: "a=setup:passive"), .unsupportedSetup(.passive), "a=setup:passive"
            ),
            (
                "short ice-ufrag",
                TestOffer.offer(TestOffer.audio(), TestOffer.video()).replacingOccurrences(
                    of: "a=ice-ufrag:abcd", with: "a=ice-ufrag:ab"), .invalidICEUfrag, "a=ice-ufrag"
            ),
            (
                "ice-pwd with a bad character",
                TestOffer.offer(TestOffer.audio(), TestOffer.video()).replacingOccurrences(
                    of: "a=ice-pwd:abcdefghijklmnopqrstuvwx", with: "a=ice-pwd:abcdefghijklmnopqrstuvw!"), .invalidICEPwd, "a=ice-pwd"
            ),
            (
                "md5 fingerprint only",
                TestOffer.offer(TestOffer.audio(), TestOffer.video()).replacingOccurrences(
                    of: TestOffer.fingerprint, with: "md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"),
                .unsupportedFingerprint(algorithms: ["'md5'"]), "md5"
            ),
        ])
    func refused(name: String, text: String, error: SDPError, messagePart: String) throws {
        let offer = try SessionDescription.parse(text)
        let thrown = #expect(throws: SDPError.self, "\(name)") { try SendNegotiation.negotiate(offer: offer) }
        #expect(thrown == error, "\(name)")
        #expect(thrown?.description.contains(messagePart) == true, "\(name): \(thrown?.description ?? "")")
    }

    @Test("Chromium's sendonly (WHIP) offer is refused for WHEP")
    func whipOfferForWHEP() throws {
        let thrown = #expect(throws: SDPError.self) {
            try SendNegotiation.negotiate(offer: SDPFixture.chromiumWHIP.parsed())
        }
        #expect(thrown?.description == "the offer's audio (mid 0) is sendonly, but a WHEP offer must be recvonly or sendrecv")
    }
}
