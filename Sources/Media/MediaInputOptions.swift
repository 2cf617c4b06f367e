/// Tuning for how ``MediaInput`` probes its source.
///
/// Smaller values start a live relay faster; larger ones cope with sources whose
/// stream parameters appear late.
public struct MediaInputOptions: Sendable, Equatable {
    /// Maximum bytes read while probing (`probesize`); nil keeps FFmpeg's default.
    public var probeSize: Int?
    /// Maximum microseconds of media analysed (`analyzeduration`); nil keeps FFmpeg's default.
    public var analyzeDurationMicroseconds: Int?
    /// Further demuxer/protocol options passed verbatim (e.g. `"rw_timeout": "5000000"`).
    public var extra: [String: String]

    /// Creates options; every argument defaults to FFmpeg's own behaviour.
    public init(
        probeSize: Int? = nil,
        analyzeDurationMicroseconds: Int? = nil,
        extra: [String: String] = [:]
    ) {
        self.probeSize = probeSize
        self.analyzeDurationMicroseconds = analyzeDurationMicroseconds
        self.extra = extra
    }

    /// All options as the string dictionary libavformat expects.
    var entries: [String: String] {
        var result = extra
        if let probeSize { result["probesize"] = String(probeSize) }
        if let analyzeDurationMicroseconds { result["analyzeduration"] = String(analyzeDurationMicroseconds) }
        return result
    }
}
