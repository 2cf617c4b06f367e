/// The offer/answer decisions WHEP (`SendNegotiation`) and WHIP (`ReceiveNegotiation`) share
/// (RFC 3264, RFC 8829). The relay serves at most one video (H.264, packetization-mode=1) and
/// one audio (opus/48000/2) m-line, bundled on one ICE/DTLS transport; any other m-line is
/// rejected (port 0) rather than failing the whole offer.
struct OfferNegotiator: Sendable {
    var role: NegotiationRole
    /// H.264 profile_idc to prefer (0x64 high, 0x4D main, 0x42 baseline); nil takes the
    /// offer's first packetization-mode=1 payload type.
    var preferredH264ProfileIDC: UInt8?
    /// The feedback the relay supports.
    var supportedFeedback: RTCPFeedbackSet = .all

    func negotiate(_ offer: SessionDescription) throws(SDPError) -> NegotiatedSession {
        guard !offer.media.isEmpty else { throw .noMedia }
        let bundle = offer.bundleGroup
        if offer.media.count > 1, bundle == nil { throw .missingBundle(mediaCount: offer.media.count) }
        for mid in bundle?.mids ?? [] where offer.media(mid: mid) == nil {
            throw .bundleNamesUnknownMid(SDPText.excerpt(mid))
        }

        var media: [NegotiatedMedium] = []
        var acceptedKinds: Set<MediaKind> = []
        var reasons: [String] = []
        for (index, description) in offer.media.enumerated() {
            let outcome = try decide(description, bundle: bundle, alreadyAccepted: acceptedKinds)
            switch outcome {
            case .accepted: acceptedKinds.insert(description.kind)
            case .rejected(let reason): reasons.append("\(description.label): \(reason)")
            }
            media.append(negotiatedMedium(description, index: index, outcome: outcome, session: offer))
        }
        guard let firstAccepted = media.first(where: \.isAccepted) else {
            throw .noUsableMedia(endpoint: role.endpoint, reasons: reasons)
        }

        // With BUNDLE every accepted m-line shares the transport of the first one.
        let transport = offer.media[firstAccepted.index].transport
        let (ufrag, pwd) = try Self.iceCredentials(transport)
        let fingerprint = try Self.strongestFingerprint(transport.fingerprints)
        switch transport.setup {
        case nil, .actpass, .active: break
        case .passive?, .holdconn?: throw .unsupportedSetup(transport.setup ?? .holdconn)
        }

        let acceptedMids = Set(media.filter(\.isAccepted).compactMap(\.mid))
        return NegotiatedSession(
            role: role,
            remoteICEUfrag: ufrag,
            remoteICEPwd: pwd,
            remoteICEOptions: transport.iceOptions,
            remoteICELite: offer.iceLite,
            remoteFingerprint: fingerprint,
            remoteSetup: transport.setup,
            localSetup: .passive,
            bundleMids: bundle?.mids.filter { acceptedMids.contains($0) } ?? [],
            media: media,
            remoteCandidates: media.filter(\.isAccepted).flatMap { offer.media[$0.index].candidates }
        )
    }

    /// Accepts or rejects one m-line; throws for the offers the relay refuses outright.
    private func decide(
        _ media: MediaDescription, bundle: SDPGroup?, alreadyAccepted: Set<MediaKind>
    ) throws(SDPError) -> NegotiatedMedium.Outcome {
        guard media.port != 0 else { return .rejected(reason: "the offer disabled it (port 0)") }
        switch media.kind {
        case .audio, .video: break
        case .application: return .rejected(reason: "data channels are not served")
        case .other(let token): return .rejected(reason: "\(SDPText.excerpt(token)) m-lines are not served")
        }
        guard role.accepts(media.direction) else {
            if media.direction == .inactive { return .rejected(reason: "it is inactive") }
            throw .wrongDirection(
                medium: media.label, offered: media.direction, endpoint: role.endpoint, expected: role.expectedDirections)
        }
        guard !alreadyAccepted.contains(media.kind) else {
            return .rejected(reason: "only one \(media.kind) m-line is served")
        }
        if let bundle {
            guard let mid = media.mid, bundle.mids.contains(mid) else {
                return .rejected(reason: "it is not in the BUNDLE group")
            }
        }
        guard media.isDTLSSRTP else {
            return .rejected(reason: "its protocol \(SDPText.excerpt(media.transportProtocol)) is not DTLS-SRTP")
        }
        let codec: NegotiatedCodec
        if media.kind == .video {
            codec = try chooseH264(media)
        } else {
            guard let opus = chooseOpus(media) else { return .rejected(reason: "it has no opus/48000/2") }
            codec = opus
        }
        guard media.rtcpMux else { throw .missingRTCPMux(medium: media.label) }
        return .accepted(codec)
    }

    private func negotiatedMedium(
        _ media: MediaDescription, index: Int, outcome: NegotiatedMedium.Outcome, session: SessionDescription
    ) -> NegotiatedMedium {
        let accepted: Bool
        if case .accepted = outcome { accepted = true } else { accepted = false }
        return NegotiatedMedium(
            index: index,
            kind: media.kind,
            mid: media.mid,
            transportProtocol: media.transportProtocol,
            offeredFormats: media.formats,
            outcome: outcome,
            direction: accepted ? role.answerDirection : .inactive,
            rtcpReducedSize: accepted && media.rtcpReducedSize,
            headerExtensions: accepted ? headerExtensions(media, session: session) : [],
            remoteSSRCs: media.ssrcs,
            remoteSSRCGroups: media.ssrcGroups,
            remoteMediaStreamID: media.mediaStreamID
        )
    }

    // MARK: Codecs

    /// The H.264 payload type with packetization-mode=1 whose profile_idc is the preferred one,
    /// else the first with packetization-mode=1 in the offer's order.
    private func chooseH264(_ media: MediaDescription) throws(SDPError) -> NegotiatedCodec {
        let candidates = media.codecs.filter {
            $0.rtpMap.isEncoding("H264") && $0.rtpMap.clockRate == 90_000 && $0.h264PacketizationMode == 1
        }
        guard let first = candidates.first else { throw .noH264PacketizationMode1 }
        let preferred = preferredH264ProfileIDC.flatMap { idc in
            candidates.first { $0.h264ProfileLevelID?.profileIDC == idc }
        }
        let chosen = preferred ?? first
        let rtx = media.codecs.first {
            $0.rtpMap.isEncoding("rtx") && $0.rtpMap.clockRate == chosen.rtpMap.clockRate
                && $0.associatedPayloadType == chosen.payloadType
        }
        return negotiatedCodec(chosen, rtx: rtx?.payloadType)
    }

    private func chooseOpus(_ media: MediaDescription) -> NegotiatedCodec? {
        media.codecs.first {
            $0.rtpMap.isEncoding("opus") && $0.rtpMap.clockRate == 48_000 && $0.rtpMap.channels == 2
        }.map { negotiatedCodec($0, rtx: nil) }
    }

    private func negotiatedCodec(_ codec: CodecDescription, rtx: UInt8?) -> NegotiatedCodec {
        NegotiatedCodec(
            payloadType: codec.payloadType,
            encodingName: codec.rtpMap.encodingName,
            clockRate: codec.rtpMap.clockRate,
            channels: codec.rtpMap.channels,
            formatParameters: codec.formatParameters,
            feedback: RTCPFeedbackSet(codec.feedback).intersection(supportedFeedback),
            rtxPayloadType: rtx,
            h264ProfileLevelID: codec.rtpMap.isEncoding("H264") ? codec.h264ProfileLevelID : nil
        )
    }

    // MARK: Header extensions

    /// The offer's ids for the URIs the relay uses, where the offer's direction qualifier lets
    /// the relay use them in its role; the m-line's own maps win over session-level ones.
    private func headerExtensions(_ media: MediaDescription, session: SessionDescription) -> [NegotiatedHeaderExtension] {
        HeaderExtensionURI.supported.compactMap { uri in
            guard let map = media.extensionMap(uri: uri) ?? session.extensionMaps.first(where: { $0.uri == uri }) else {
                return nil
            }
            if let direction = map.direction, !role.accepts(direction) { return nil }
            return NegotiatedHeaderExtension(id: map.id, uri: uri, direction: map.direction.map { _ in role.answerDirection })
        }
    }

    // MARK: Transport

    private static func iceCredentials(_ transport: TransportAttributes) throws(SDPError) -> (String, String) {
        guard let ufrag = transport.iceUfrag else { throw .missingICEUfrag }
        guard let pwd = transport.icePwd else { throw .missingICEPwd }
        guard isICEString(ufrag, length: 4...256) else { throw .invalidICEUfrag }
        guard isICEString(pwd, length: 22...256) else { throw .invalidICEPwd }
        return (ufrag, pwd)
    }

    /// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 5.4).
    private static func isICEString(_ text: String, length: ClosedRange<Int>) -> Bool {
        length.contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            }
    }

    private static func strongestFingerprint(_ fingerprints: [SDPFingerprint]) throws(SDPError) -> SDPFingerprint {
        guard !fingerprints.isEmpty else { throw .missingFingerprint }
        for algorithm in FingerprintAlgorithm.allCases {
            if let match = fingerprints.first(where: { $0.hashAlgorithm == algorithm }) { return match }
        }
        throw .unsupportedFingerprint(algorithms: fingerprints.map { SDPText.excerpt($0.algorithm, limit: 16) })
    }
}
