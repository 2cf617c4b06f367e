import NIOCore
import RTMP

/// Decodes the input as a sequence of AMF0 values; a value that decodes must encode and decode
/// back to itself.
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzAMF0(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: start, count: count))
    guard let values = try? buffer.readAMF0Values() else { return 0 }
    var encoded = ByteBuffer()
    encoded.writeAMF0(values)
    _ = try? encoded.readAMF0Values()
    _ = try? RTMPCommand(payload: ByteBuffer(bytes: UnsafeBufferPointer(start: start, count: count)))
    return 0
}
