import NIOCore
import RTMP

/// Feeds the whole input to the handshake state machine in pieces whose size the input's last
/// byte picks; it must answer, wait or refuse, and never trap.
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzHandshake(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard let last = bytes.last else { return 0 }
    let piece = Int(last) * 13 + 1
    var handshake = RTMPHandshake(serverEpoch: 7)
    var pending = ByteBuffer()
    var offset = 0
    while offset < count {
        let end = min(count, offset + piece)
        pending.writeBytes(UnsafeBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        steps: while true {
            do {
                switch try handshake.feed(&pending) {
                case .needMoreData: break steps
                case .reply(let reply): precondition(reply.readableBytes == 1 + 2 * RTMPHandshake.packetSize)
                case .complete: return 0
                }
            } catch {
                return 0
            }
        }
    }
    return 0
}
