import Testing

@testable import WebRTC

@Suite("SDP negotiation for WHIP (receiving)")
struct ReceiveNegotiationTests {
    @Test("Chromium's sendonly offer: H.264 pm=1 and opus, answered recvonly, publisher SSRCs kept")
    func chromium() throws {
        let session = try ReceiveNegotiation.negotiate(offer: SDPFixture.chromiumWHIP.parsed())
        #expect(session.role == .receive)
        #expect(session.remoteICEUfrag == "Zfc9")
        #expect(session.bundleMids == ["0", "1"])
        #expect(session.media.map(\.direction) == [.recvonly, .recvonly])

        let video = try #require(session.video)
        #expect(video.codec?.payloadType == 102)
        #expect(video.codec?.rtxPayloadType == 103)
        #expect(video.codec?.feedback == .all)
        #expect(video.remotePrimarySSRC == 1_821_359_280)
        #expect(video.remoteRTXSSRC == 2_265_984_910)
        #expect(video.remoteMediaStreamID?.streamID == "4c767e71-e6f2-4b93-beec-2356ee54c495")
        #expect(video.transportWideCCExtensionID == 3)

        let audio = try #require(session.audio)
        #expect(audio.codec?.payloadType == 111)
        #expect(audio.remotePrimarySSRC == 659_935_312)
        #expect(audio.remoteRTXSSRC == nil)
    }

    @Test("a recvonly (WHEP) offer is refused for WHIP")
    func whepOfferForWHIP() throws {
        let thrown = #expect(throws: SDPError.self) {
            try ReceiveNegotiation.negotiate(offer: SDPFixture.chromiumWHEP.parsed())
        }
        #expect(
            thrown
                == .wrongDirection(
                    medium: "audio (mid 0)", offered: .recvonly, endpoint: "WHIP", expected: "sendonly or sendrecv"))
        #expect(thrown?.description.contains("recvonly") == true)
    }

    @Test("a WHIP extmap offered /sendonly is usable and answered /recvonly")
    func extmapDirection() throws {
        let text = TestOffer.offer(
            TestOffer.audio(direction: "sendonly"),
            TestOffer.video(
                direction: "sendonly",
                lines: TestOffer.h264Lines + [
                    "a=extmap:5/sendonly \(HeaderExtensionURI.transportWideCC)",
                    "a=extmap:6/recvonly \(HeaderExtensionURI.absoluteSendTime)",
                ]))
        let video = try #require(try ReceiveNegotiation.negotiate(offer: SessionDescription.parse(text)).video)
        #expect(
            video.headerExtensions == [
                NegotiatedHeaderExtension(id: 5, uri: HeaderExtensionURI.transportWideCC, direction: .recvonly)
            ])
    }

    @Test("the WHIP answer is recvonly with no SSRC of the relay's, even if senders are given", arguments: [false, true])
    func answer(senders: Bool) throws {
        let session = try ReceiveNegotiation.negotiate(offer: SDPFixture.chromiumWHIP.parsed())
        let answer = SDPAnswer.render(session, local: SDPAnswerTests.local(senders: senders))
        let lines = answer.sdpLines
        #expect(lines.filter { $0 == "a=recvonly" }.count == 2)
        #expect(!lines.contains { $0.hasPrefix("a=ssrc") || $0 == "a=sendonly" })
        #expect(lines.contains("a=setup:passive"))
        let parsed = try SessionDescription.parse(answer)
        #expect(parsed.media.map(\.direction) == [.recvonly, .recvonly])
    }
}
