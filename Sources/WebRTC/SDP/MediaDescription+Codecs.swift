extension MediaDescription {
    /// The payload type with its rtpmap, fmtp and feedback gathered, or nil when it has no
    /// rtpmap (static payload types such as 0 = PCMU are not described further).
    func codec(payloadType: UInt8) -> CodecDescription? {
        guard let rtpMap = rtpMaps[payloadType] else { return nil }
        return CodecDescription(
            rtpMap: rtpMap,
            formatParameters: formatParameters[payloadType],
            feedback: (feedback[payloadType] ?? []) + wildcardFeedback
        )
    }

    /// The described codecs in the m-line's order.
    var codecs: [CodecDescription] { payloadTypes.compactMap { codec(payloadType: $0) } }

    /// The header extension id mapped to `uri`, if any.
    func extensionMap(uri: String) -> ExtensionMap? {
        extensionMaps.first { $0.uri == uri }
    }

    /// The first `a=msid`, or the msid of the first `a=ssrc:<n> msid:` line (older browsers).
    var mediaStreamID: MediaStreamID? {
        if let msid = msids.first { return msid }
        guard let value = ssrcs.first(where: { $0.attribute == "msid" })?.value else { return nil }
        let (stream, track) = SDPText.splitFirstField(value)
        return MediaStreamID(streamID: String(stream), trackID: track.map(String.init))
    }
}
