import Dispatch
import Media
import RelayCore

/// Feeds the input to the SRT path's MPEG-TS ingest (libavformat demuxer over a memory
/// AVIOContext, then Annex B → AVCC and ADTS → raw AAC in Swift) in 1316-byte pieces, as an SRT
/// publisher would, and waits for it to end: it must end with a reason, never crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMPEGTS(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let done = DispatchSemaphore(value: 0)
    let ingest = TSIngest(handlers: .init(message: { _ in }, videoInfo: { _ in }, ended: { _ in done.signal() }))
    ingest.start(name: "fuzz-ts")
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + 1316, bytes.count)
        _ = ingest.input.push(Array(bytes[offset..<end]))
        offset = end
    }
    ingest.input.close()
    done.wait()
    return 0
}
