/// An `a=rtcp-fb:<pt|*> <type> [<parameter>]` attribute (RFC 4585), e.g. `nack pli`.
struct RTCPFeedback: Hashable, Sendable {
    /// `nack`, `ccm`, `goog-remb`, `transport-cc`, … as written, lowercased.
    var type: String
    /// `pli`, `fir`, … when given, lowercased.
    var parameter: String?

    init(type: String, parameter: String? = nil) {
        self.type = type.lowercased()
        self.parameter = parameter?.lowercased()
    }

    /// The value after the payload type (`nack pli`).
    var attributeText: String { parameter.map { "\(type) \($0)" } ?? type }

    /// The member of `RTCPFeedbackSet` this is, if the relay knows it.
    var known: RTCPFeedbackSet? {
        switch (type, parameter) {
        case ("nack", nil): return .nack
        case ("nack", "pli"): return .pictureLossIndication
        case ("ccm", "fir"): return .fullIntraRequest
        case ("goog-remb", nil): return .receiverEstimatedMaximumBitrate
        case ("transport-cc", nil): return .transportWideCongestionControl
        default: return nil
        }
    }
}

/// The RTCP feedback the relay understands; a negotiated codec carries the ones both sides
/// support.
struct RTCPFeedbackSet: OptionSet, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt8

    /// `nack`: generic NACK, retransmission requests (RFC 4585).
    static let nack = RTCPFeedbackSet(rawValue: 1 << 0)
    /// `nack pli`: picture loss indication, asks for a keyframe.
    static let pictureLossIndication = RTCPFeedbackSet(rawValue: 1 << 1)
    /// `ccm fir`: full intra request (RFC 5104), asks for a keyframe.
    static let fullIntraRequest = RTCPFeedbackSet(rawValue: 1 << 2)
    /// `goog-remb`: receiver estimated maximum bitrate.
    static let receiverEstimatedMaximumBitrate = RTCPFeedbackSet(rawValue: 1 << 3)
    /// `transport-cc`: transport-wide congestion control feedback.
    static let transportWideCongestionControl = RTCPFeedbackSet(rawValue: 1 << 4)

    /// Everything above: what the relay supports.
    static let all: RTCPFeedbackSet = [
        .nack, .pictureLossIndication, .fullIntraRequest,
        .receiverEstimatedMaximumBitrate, .transportWideCongestionControl,
    ]

    /// The members as `a=rtcp-fb` values, in a fixed order.
    var attributeTexts: [String] {
        var texts: [String] = []
        if contains(.nack) { texts.append("nack") }
        if contains(.pictureLossIndication) { texts.append("nack pli") }
        if contains(.fullIntraRequest) { texts.append("ccm fir") }
        if contains(.receiverEstimatedMaximumBitrate) { texts.append("goog-remb") }
        if contains(.transportWideCongestionControl) { texts.append("transport-cc") }
        return texts
    }

    var description: String { "[" + attributeTexts.joined(separator: ", ") + "]" }

    /// The known members of `feedback`.
    init(_ feedback: some Sequence<RTCPFeedback>) {
        self = feedback.reduce(into: []) { set, item in
            if let known = item.known { set.insert(known) }
        }
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }
}
