import NIOCore
import WebRTC

/// Parses the input as an SDP offer (a WHEP or WHIP POST body) and, if it parses, negotiates it
/// both ways: as a WHEP offer (the relay sends) and as a WHIP offer (the relay receives). The
/// H.264 profile the relay prefers comes from the input's length, so each one is exercised.
/// The answer is not rendered: `SDPAnswer.render` needs a `LocalDescription`, which is internal.
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzSDP(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = ByteBuffer(bytes: UnsafeBufferPointer(start: start, count: count))
    guard let offer = try? SessionDescription.parse(body) else { return 0 }
    let profiles: [UInt8?] = [nil, 0x42, 0x4D, 0x64]
    let profile = profiles[count % profiles.count]
    _ = try? SendNegotiation.negotiate(offer: offer, preferredH264ProfileIDC: profile)
    _ = try? ReceiveNegotiation.negotiate(offer: offer, preferredH264ProfileIDC: profile)
    return 0
}
