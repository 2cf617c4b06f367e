/// One m-line and the attributes under it. Transport attributes and the direction are resolved:
/// a value written at session level applies unless the m-line writes its own.
struct MediaDescription: Hashable, Sendable {
    var kind: MediaKind
    var port: UInt16
    /// `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`, … as written.
    var transportProtocol: String
    /// The formats as written after the protocol (payload types for RTP, `webrtc-datachannel`, …).
    var formats: [String]
    /// 1-based line number of the m-line, for messages.
    var line: Int

    var rtpMaps: [UInt8: RTPMap] = [:]
    var formatParameters: [UInt8: FormatParameters] = [:]
    /// `a=rtcp-fb` per payload type, in order.
    var feedback: [UInt8: [RTCPFeedback]] = [:]
    /// `a=rtcp-fb:* …`: feedback offered for every payload type of this m-line.
    var wildcardFeedback: [RTCPFeedback] = []
    var extensionMaps: [ExtensionMap] = []

    var mid: String?
    var direction: MediaDirection = .sendrecv
    var rtcpMux = false
    var rtcpReducedSize = false
    var transport = TransportAttributes()

    var ssrcs: [SSRCAttribute] = []
    var ssrcGroups: [SSRCGroup] = []
    var msids: [MediaStreamID] = []
    /// `a=candidate` values (after `candidate:`), as written.
    var candidates: [String] = []
    var endOfCandidates = false

    /// Every `a=` line of this m-line, understood or not, in order.
    var attributes: [SDPAttribute] = []

    /// Whether the protocol is RTP secured by DTLS-SRTP (`UDP/TLS/RTP/SAVPF`, `TCP/DTLS/RTP/SAVPF`, …).
    var isDTLSSRTP: Bool {
        let proto = transportProtocol.uppercased()
        return (proto.contains("/TLS/") || proto.contains("/DTLS/")) && proto.contains("/RTP/SAVP")
    }

    /// Whether the protocol carries RTP, so that formats are payload types.
    var isRTP: Bool { transportProtocol.uppercased().contains("RTP/") }

    /// The formats that are RTP payload types, in the m-line's order (the offerer's preference).
    var payloadTypes: [UInt8] {
        guard isRTP else { return [] }
        return formats.compactMap { SDPText.decimal($0, as: UInt8.self) }.filter { $0 <= 127 }
    }

    /// A short name for messages: `video (mid 1)`.
    var label: String { mid.map { "\(kind) (mid \($0))" } ?? "\(kind)" }
}
