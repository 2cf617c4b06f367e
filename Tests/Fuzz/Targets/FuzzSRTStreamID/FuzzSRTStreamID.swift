import SRT

/// Parses the input as an SRT streamid (both forms, percent-encoded or not) and splits a
/// rendition suffix off; a parsed id must never echo its key in an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRTStreamID(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let id = try? SRTStreamID.parse(text) {
        _ = id.splittingRendition(ladder: ["720p", "480p", "360p"])
    }
    return 0
}
