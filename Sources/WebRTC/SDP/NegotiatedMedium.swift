/// The outcome for one m-line of the offer, in the offer's order: accepted with a codec, or
/// rejected (answered with port 0) with the reason.
struct NegotiatedMedium: Hashable, Sendable {
    enum Outcome: Hashable, Sendable {
        case accepted(NegotiatedCodec)
        case rejected(reason: String)
    }

    /// Position of the m-line in the offer (0-based).
    var index: Int
    var kind: MediaKind
    var mid: String?
    /// The offer's protocol, echoed in the answer.
    var transportProtocol: String
    /// The offer's formats, echoed in a rejected m-line.
    var offeredFormats: [String]
    var outcome: Outcome
    /// The direction the answer writes (`sendonly` for WHEP, `recvonly` for WHIP).
    var direction: MediaDirection
    /// The offer has `a=rtcp-rsize`, so the answer does too.
    var rtcpReducedSize: Bool
    var headerExtensions: [NegotiatedHeaderExtension]

    /// The offer's SSRC lines, groups and msid (what a WHIP publisher will send).
    var remoteSSRCs: [SSRCAttribute]
    var remoteSSRCGroups: [SSRCGroup]
    var remoteMediaStreamID: MediaStreamID?

    var codec: NegotiatedCodec? {
        if case .accepted(let codec) = outcome { return codec }
        return nil
    }

    var isAccepted: Bool { codec != nil }

    var rejectionReason: String? {
        if case .rejected(let reason) = outcome { return reason }
        return nil
    }

    /// The offer's id for a header extension URI, if negotiated.
    func headerExtensionID(_ uri: String) -> UInt8? { headerExtensions.first { $0.uri == uri }?.id }
    var midExtensionID: UInt8? { headerExtensionID(HeaderExtensionURI.mid) }
    var absoluteSendTimeExtensionID: UInt8? { headerExtensionID(HeaderExtensionURI.absoluteSendTime) }
    var transportWideCCExtensionID: UInt8? { headerExtensionID(HeaderExtensionURI.transportWideCC) }

    /// The first SSRC the offer announces (a WHIP publisher's media SSRC).
    var remotePrimarySSRC: UInt32? {
        if let fid = remoteSSRCGroups.first(where: { $0.semantics.uppercased() == "FID" }), let first = fid.ssrcs.first {
            return first
        }
        return remoteSSRCs.first?.ssrc
    }

    /// The RTX SSRC paired with the primary one by `a=ssrc-group:FID`.
    var remoteRTXSSRC: UInt32? {
        guard let fid = remoteSSRCGroups.first(where: { $0.semantics.uppercased() == "FID" }), fid.ssrcs.count >= 2 else {
            return nil
        }
        return fid.ssrcs[1]
    }

    /// A short name for messages: `video (mid 1)`.
    var label: String { mid.map { "\(kind) (mid \($0))" } ?? "\(kind)" }
}
