import RelayCore

extension StreamItem {
    public var media: MediaMessage? {
        if case .media(let m) = self { return m }
        return nil
    }

    public var event: StreamEvent? {
        if case .event(let e) = self { return e }
        return nil
    }

    /// A short label for comparing sequences: kf, inter, vh, ah, audio, meta, or the event.
    public var label: String {
        switch self {
        case .event(let e): return "event:\(e)"
        case .media(let m):
            switch m.kind {
            case .metadata: return "meta@\(m.timestamp)"
            case .video: return (m.isSequenceHeader ? "vh" : m.isKeyframe ? "kf" : "inter") + "@\(m.timestamp)"
            case .audio: return (m.isSequenceHeader ? "ah" : "audio") + "@\(m.timestamp)"
            }
        }
    }
}
