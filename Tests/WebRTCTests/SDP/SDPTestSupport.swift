import Foundation
import Testing

@testable import WebRTC

/// The recorded and hand-written offers in Fixtures/, and small offers built in code.
enum SDPFixture: String, CaseIterable, CustomStringConvertible {
    /// Recorded from Chromium: recvonly audio + video (record_offers.py).
    case chromiumWHEP = "chromium-whep-offer"
    /// Recorded from Chromium with a fake camera and microphone: sendonly (record_offers.py).
    case chromiumWHIP = "chromium-whip-offer"
    /// HAND-WRITTEN in Firefox's style (not recorded from a browser): Firefox's line order,
    /// session-level fingerprint, a=setup:actpass, a=extmap with direction, a=rtcp-fb:*, H.264
    /// pts 126/97 with packetization-mode 1/0, opus pt 109.
    case firefoxWHEP = "firefox-whep-offer"

    var description: String { rawValue }

    /// The file's text, byte for byte.
    func text() throws -> String {
        let url = try #require(Bundle.module.url(forResource: rawValue, withExtension: "sdp", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    func parsed() throws -> SessionDescription { try SessionDescription.parse(try text()) }

    /// The negotiation this offer is for: WHIP for the sendonly one, WHEP for the others.
    func negotiate(_ text: String) throws(SDPError) -> NegotiatedSession {
        let offer = try SessionDescription.parse(text)
        switch self {
        case .chromiumWHIP: return try ReceiveNegotiation.negotiate(offer: offer)
        case .chromiumWHEP, .firefoxWHEP: return try SendNegotiation.negotiate(offer: offer)
        }
    }
}

extension String {
    /// The SDP's lines without their line endings.
    var sdpLines: [String] {
        // "\r\n" is one Character, so split on both it and a bare "\n".
        split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }).map(String.init)
    }

    /// The SDP with the lines for which `drop` is true removed (CRLF endings).
    func removingSDPLines(where drop: (String) -> Bool) -> String {
        sdpLines.filter { !drop($0) }.map { $0 + "\r\n" }.joined()
    }

    /// The SDP with each line starting with `prefix` replaced by `replacement` (or removed when
    /// nil).
    func replacingSDPLines(startingWith prefix: String, with replacement: String?) -> String {
        sdpLines.compactMap { $0.hasPrefix(prefix) ? replacement : $0 }.map { $0 + "\r\n" }.joined()
    }
}

/// Small offers for the cases the fixtures do not show.
enum TestOffer {
    static let fingerprint =
        "sha-256 A5:56:E3:19:D4:39:A6:3F:9D:E0:B3:A0:E8:CA:DA:AD:B7:A4:0B:DC:25:D3:F5:7F:ED:91:BF:C2:5E:BB:F7:88"

    static let opusLines = [
        "a=rtpmap:111 opus/48000/2",
        "a=rtcp-fb:111 transport-cc",
        "a=fmtp:111 minptime=10;useinbandfec=1",
    ]

    static let h264Lines = [
        "a=rtpmap:102 H264/90000",
        "a=rtcp-fb:102 nack",
        "a=rtcp-fb:102 nack pli",
        "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    ]

    /// One m-line with Chromium-style transport attributes.
    static func media(
        _ kind: String, mid: String, formats: String, direction: String = "recvonly", lines: [String],
        proto: String = "UDP/TLS/RTP/SAVPF", rtcpMux: Bool = true
    ) -> [String] {
        [
            "m=\(kind) 9 \(proto) \(formats)", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=fingerprint:\(fingerprint)", "a=setup:actpass", "a=mid:\(mid)", "a=\(direction)",
        ]
            + (rtcpMux ? ["a=rtcp-mux"] : []) + lines
    }

    static func audio(mid: String = "0", direction: String = "recvonly", lines: [String] = opusLines) -> [String] {
        media("audio", mid: mid, formats: "111", direction: direction, lines: lines)
    }

    static func video(
        mid: String = "1", formats: String = "102", direction: String = "recvonly", lines: [String] = h264Lines
    ) -> [String] {
        media("video", mid: mid, formats: formats, direction: direction, lines: lines)
    }

    /// A session with `media` sections and a BUNDLE of `bundle` (none when nil).
    static func offer(bundle: [String]? = ["0", "1"], _ media: [String]...) -> String {
        var lines = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"]
        if let bundle { lines.append("a=group:BUNDLE " + bundle.joined(separator: " ")) }
        lines += media.flatMap { $0 }
        return lines.map { $0 + "\r\n" }.joined()
    }
}
