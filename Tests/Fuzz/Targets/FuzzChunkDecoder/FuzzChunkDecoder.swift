import NIOCore
import NIOEmbedded
import RTMP

/// Runs the input through the chunk decoder as the server pipeline does (ByteToMessageHandler
/// on a channel), in two reads split where the last byte says; every command or data message
/// that comes out is parsed as AMF0 too. Errors close the channel; nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzChunkDecoder(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard let last = bytes.last else { return 0 }
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(RTMPChunkDecoder(maxMessageSize: 1 << 20)))
    let split = count * Int(last) / 256
    for range in [0..<split, split..<count] where !range.isEmpty {
        do {
            try channel.writeInbound(ByteBuffer(bytes: UnsafeBufferPointer(rebasing: bytes[range])))
        } catch {
            break
        }
    }
    while let output = try? channel.readInbound(as: RTMPChunkDecoder.Output.self) {
        guard case .message(let message) = output else { continue }
        switch message.typeID {
        case RTMPMessageType.amf0Command.rawValue:
            _ = try? RTMPCommand(payload: message.payload)
        case RTMPMessageType.amf0Data.rawValue:
            var payload = message.payload
            _ = try? payload.readAMF0Values()
        default:
            break
        }
    }
    _ = try? channel.finish()
    return 0
}
