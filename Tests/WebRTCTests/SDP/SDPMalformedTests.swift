import Foundation
import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("SDP malformed offers")
struct SDPMalformedTests {
    /// Parses and negotiates for WHEP; any SDPError counts as a refusal.
    static func refusal(_ text: String) -> SDPError? {
        do {
            _ = try SendNegotiation.negotiate(offer: SessionDescription.parse(text))
            return nil
        } catch {
            return error
        }
    }

    /// A message fit for a person: not empty, one line, short.
    static func isReadable(_ error: SDPError) -> Bool {
        let text = error.description
        return !text.isEmpty && text.count < 400 && !text.unicodeScalars.contains(where: SDPText.isControl)
    }

    @Test("empty and blank bodies", arguments: ["", "\r\n", "  \r\n\r\n\t\n"])
    func empty(text: String) {
        #expect(throws: SDPError.empty) { try SessionDescription.parse(text) }
        #expect(SDPError.empty.description == "the SDP body is empty")
    }

    @Test("a fixture without a=ice-ufrag / a=ice-pwd", arguments: SDPFixture.allCases)
    func missingICE(fixture: SDPFixture) throws {
        let text = try fixture.text()
        let noUfrag = text.removingSDPLines { $0.hasPrefix("a=ice-ufrag") }
        let noPwd = text.removingSDPLines { $0.hasPrefix("a=ice-pwd") }
        #expect(throws: SDPError.missingICEUfrag) { try fixture.negotiate(noUfrag) }
        #expect(throws: SDPError.missingICEPwd) { try fixture.negotiate(noPwd) }
        #expect(SDPError.missingICEUfrag.description.contains("a=ice-ufrag"))
        #expect(SDPError.missingICEPwd.description.contains("a=ice-pwd"))
    }

    @Test("a fixture without a=fingerprint", arguments: SDPFixture.allCases)
    func missingFingerprint(fixture: SDPFixture) throws {
        let text = try fixture.text().removingSDPLines { $0.hasPrefix("a=fingerprint") }
        let thrown = #expect(throws: SDPError.missingFingerprint) { try fixture.negotiate(text) }
        #expect(thrown?.description.contains("a=fingerprint") == true)
    }

    @Test("Chromium's offer with VP8 only (every H.264 line removed)")
    func vp8Only() throws {
        let text = try SDPFixture.chromiumWHEP.text()
        let h264 = Set(
            try SessionDescription.parse(text).media[1].codecs
                .filter { $0.rtpMap.isEncoding("H264") }.map { String($0.payloadType) })
        let vp8Only = text.removingSDPLines { line in
            h264.contains { line.hasPrefix("a=rtpmap:\($0) ") || line.hasPrefix("a=fmtp:\($0) ") }
        }
        let thrown = #expect(throws: SDPError.noH264PacketizationMode1) {
            try SendNegotiation.negotiate(offer: SessionDescription.parse(vp8Only))
        }
        #expect(thrown?.description == "the offer's video has no H.264 with packetization-mode=1")
    }

    @Test(
        "garbage lines are refused with the line number",
        arguments: [
            ("hello world", 5), ("=0", 5), ("A=uppercase", 5), ("v", 5), ("a=fmtp:102 x=1\ra=evil", 5),
            ("a=ok\u{0}nul", 5), ("a=", 5), ("a=:value", 5),
        ])
    func garbageLine(line: String, number: Int) {
        let text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\(line)\r\n"
        let thrown = #expect(throws: SDPError.self) { try SessionDescription.parse(text) }
        guard let thrown else { return }
        #expect(thrown.description.hasPrefix("SDP line \(number) "), "\(thrown)")
        #expect(Self.isReadable(thrown))
    }

    @Test(
        "bodies that are not SDP at all",
        arguments: [
            "garbage", "<html><body>hi</body></html>", "{\"type\":\"offer\"}", "o=- 1 2 IN IP4 0.0.0.0\r\nv=0\r\n", "v=1\r\n",
            "v=0\r\nv=0\r\n",
        ])
    func notSDP(text: String) {
        let thrown = #expect(throws: SDPError.self) { try SessionDescription.parse(text) }
        #expect(thrown.map(Self.isReadable) == true)
    }

    @Test("a 100 KiB body is refused before parsing")
    func hugeBody() throws {
        let base = try SDPFixture.chromiumWHEP.text()
        let padding = String(repeating: "a=x-padding:0123456789abcdef0123456789abcdef0123456789abcdef\r\n", count: 1600)
        let text = base + padding
        #expect(text.utf8.count > 100 * 1024)
        let thrown = #expect(throws: SDPError.self) { try SessionDescription.parse(text) }
        #expect(thrown == .tooLarge(bytes: text.utf8.count))
        #expect(thrown?.description.contains("more than the 65536 allowed") == true)
        #expect(throws: SDPError.tooLarge(bytes: text.utf8.count)) { try SessionDescription.parse(ByteBuffer(string: text)) }
    }

    @Test("more than 1000 lines or 16 m-lines")
    func tooMany() {
        let lines = "v=0\r\n" + String(repeating: "a=x\r\n", count: 1000)
        #expect(lines.utf8.count < SDPLimits.maxBytes)
        #expect(throws: SDPError.tooManyLines) { try SessionDescription.parse(lines) }
        #expect(throws: Never.self) { try SessionDescription.parse("v=0\r\n" + String(repeating: "a=x\r\n", count: 999)) }

        let media = (0..<17).map { "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:\($0)\r\n" }
        #expect(throws: SDPError.tooManyMediaSections) { try SessionDescription.parse("v=0\r\n" + media.joined()) }
        #expect(throws: Never.self) { try SessionDescription.parse("v=0\r\n" + media.prefix(16).joined()) }
        #expect(SDPError.tooManyMediaSections.description.contains("16 m-lines"))
    }

    @Test(
        "malformed values of understood attributes name the attribute",
        arguments: [
            ("a=rtpmap:abc opus/48000", "a=rtpmap"), ("a=rtpmap:111", "a=rtpmap"), ("a=rtpmap:111 opus", "a=rtpmap"),
            ("a=rtpmap:111 opus/0", "a=rtpmap"), ("a=rtpmap:111 opus/48000/2/9", "a=rtpmap"),
            ("a=rtpmap:200 opus/48000", "a=rtpmap"), ("a=rtpmap:111 opus/48000/zero", "a=rtpmap"),
            ("a=rtpmap:111 opus/48000/2\r\na=rtpmap:111 opus/48000/2", "a=rtpmap"),
            ("a=fmtp:111", "a=fmtp"), ("a=fmtp:x minptime=10", "a=fmtp"),
            ("a=rtcp-fb:111", "a=rtcp-fb"), ("a=rtcp-fb:-1 nack", "a=rtcp-fb"),
            ("a=fingerprint:sha-256", "a=fingerprint"), ("a=fingerprint:sha-256 ZZ:00", "a=fingerprint"),
            ("a=fingerprint:sha-256 AB:CD", "a=fingerprint"), ("a=fingerprint:sha-256 ABC:D", "a=fingerprint"),
            ("a=setup:bogus", "a=setup"), ("a=setup", "a=setup"),
            ("a=extmap:0 urn:x", "a=extmap"), ("a=extmap:256 urn:x", "a=extmap"), ("a=extmap:3/sideways urn:x", "a=extmap"),
            ("a=extmap:3", "a=extmap"), ("a=extmap:3 urn:x\r\na=extmap:3 urn:y", "a=extmap"),
            ("a=ssrc:notanumber cname:x", "a=ssrc"), ("a=ssrc:1", "a=ssrc"), ("a=ssrc:99999999999 cname:x", "a=ssrc"),
            ("a=ssrc-group:FID 1 x", "a=ssrc-group"), ("a=mid:", "a=mid"), ("a=mid:two words", "a=mid"),
            ("a=mid:" + String(repeating: "m", count: 65), "a=mid"), ("a=ice-ufrag:", "a=ice-ufrag"),
            ("a=candidate", "a=candidate"), ("a=msid:", "a=msid"),
        ])
    func malformedAttribute(line: String, name: String) {
        let text = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\(line)\r\n"
        let thrown = #expect(throws: SDPError.self, "\(line)") { try SessionDescription.parse(text) }
        guard let thrown else { return }
        #expect(thrown.description.contains(name), "\(thrown)")
        // The second of two lines for the same thing is line 4.
        let number = line.contains("\r\n") ? 4 : 3
        #expect(thrown.description.hasPrefix("SDP line \(number):"), "\(thrown)")
        #expect(Self.isReadable(thrown))
    }

    @Test(
        "malformed m-lines",
        arguments: [
            "m=video", "m=video 9 UDP/TLS/RTP/SAVPF", "m=video 99999 UDP/TLS/RTP/SAVPF 96", "m=video x UDP/TLS/RTP/SAVPF 96",
            "m=video 9 UDP/TLS/RTP/SAVPF 128", "m=video 9 UDP/TLS/RTP/SAVPF ninety",
        ])
    func malformedMediaLine(line: String) {
        let thrown = #expect(throws: SDPError.self) { try SessionDescription.parse("v=0\r\n\(line)\r\n") }
        #expect(thrown?.description.hasPrefix("SDP line 2") == true, "\(String(describing: thrown))")
    }

    @Test("two m-lines with the same mid")
    func duplicateMid() {
        let text = TestOffer.offer(TestOffer.audio(mid: "0"), TestOffer.video(mid: "0"))
        #expect(throws: SDPError.duplicateMid("0")) { try SessionDescription.parse(text) }
    }

    @Test("hostile text is quoted short in messages")
    func shortExcerpts() {
        let thrown = #expect(throws: SDPError.self) {
            try SessionDescription.parse("v=0\r\n" + String(repeating: "x", count: 10_000) + "\r\n")
        }
        #expect(thrown.map(Self.isReadable) == true)
        #expect((thrown?.description.count ?? .max) < 120)
    }

    @Test("every truncation of a fixture parses or throws, and short ones always throw", arguments: SDPFixture.allCases)
    func everyTruncation(fixture: SDPFixture) throws {
        let text = try fixture.text()
        let bytes = Array(text.utf8)
        // Until the chosen H.264 fmtp says packetization-mode=1, no prefix can be negotiated: the
        // BUNDLE group names a mid not yet seen, or the video has no usable H.264.
        let marker =
            fixture == .firefoxWHEP
            ? "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1"
            : "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1"
        let needed = try #require(text.range(of: marker)).upperBound.utf16Offset(in: text)
        var succeeded = 0
        for length in 0..<bytes.count {
            let prefix = String(decoding: bytes[0..<length], as: UTF8.self)
            do {
                let session = try fixture.negotiate(prefix)
                #expect(length >= needed, "prefix of \(length) bytes was accepted")
                #expect(session.video?.codec?.payloadType == (fixture == .firefoxWHEP ? 126 : 102))
                succeeded += 1
            } catch {
                #expect(Self.isReadable(error), "\(error)")
            }
        }
        #expect(succeeded > 0)
        #expect(throws: Never.self) { try fixture.negotiate(text) }
    }

    @Test("dropping any one line of a fixture never crashes", arguments: SDPFixture.allCases)
    func everyLineDropped(fixture: SDPFixture) throws {
        let lines = try fixture.text().sdpLines
        for index in lines.indices {
            var copy = lines
            copy.remove(at: index)
            let text = copy.map { $0 + "\r\n" }.joined()
            do {
                _ = try fixture.negotiate(text)
            } catch {
                #expect(Self.isReadable(error), "\(error)")
            }
        }
    }

    @Test("seeded random bytes never crash the parser")
    func randomBytes() {
        var generator = SeededGenerator(seed: 0x5D9)
        for round in 0..<300 {
            let count = Int(generator.next() % 600)
            var body = ByteBuffer()
            // Mostly printable SDP-ish bytes, sometimes anything.
            let alphabet = Array("v=0amsc:/ \r\n0123456789rtpmapH264opus".utf8)
            for _ in 0..<count {
                let raw = UInt8(truncatingIfNeeded: generator.next())
                body.writeInteger(round % 3 == 0 ? raw : alphabet[Int(raw) % alphabet.count])
            }
            if round % 2 == 0 { body = ByteBuffer(string: "v=0\r\n") + body }
            do {
                _ = try SendNegotiation.negotiate(offer: SessionDescription.parse(body))
            } catch {
                #expect(Self.isReadable(error), "\(error)")
            }
        }
    }
}

private func + (lhs: ByteBuffer, rhs: ByteBuffer) -> ByteBuffer {
    var out = lhs
    var rhs = rhs
    out.writeBuffer(&rhs)
    return out
}
