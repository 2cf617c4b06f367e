import Foundation
import NIOCore
import RTMP

/// A raw publisher: enough RTMP to publish a few media messages and vanish, as a flapping
/// encoder on a bad link does.
extension RawRTMPClient {
    /// connect + createStream + publish, without reading the answers.
    func publish(app: String, stream: String) throws {
        try command([.string("connect"), .number(1), .object(["app": .string(app), "tcUrl": .string("rtmp://127.0.0.1/\(app)")])])
        try command([.string("createStream"), .number(2), .null])
        try command([.string("publish"), .number(0), .null, .string(stream), .string("live")], streamID: 1)
    }

    /// An FLV video tag body on message stream 1.
    func sendVideo(_ body: [UInt8], timestamp: UInt32) throws {
        var out = ByteBuffer()
        RTMPChunkEncoder(chunkSize: 128).encode(
            RTMPMessage(type: .video, streamID: 1, timestamp: timestamp, payload: ByteBuffer(bytes: body)), csid: 6, into: &out
        )
        try send(out)
    }

    /// AVC sequence header (a small baseline SPS/PPS), then a keyframe and `frames` inter frames.
    func sendShortGOP(frames: Int, from timestamp: UInt32) throws {
        let sps: [UInt8] = [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8]
        let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]
        var header: [UInt8] = [0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xC0, 0x1E, 0xFF, 0xE1, 0x00, UInt8(sps.count)] + sps
        header += [0x01, 0x00, UInt8(pps.count)] + pps
        try sendVideo(header, timestamp: timestamp)
        let slice = [UInt8](repeating: 0xAB, count: 2000)
        try sendVideo([0x17, 0x01, 0, 0, 0, 0, 0, 0x07, 0xD4] + slice, timestamp: timestamp)
        for i in 0..<frames {
            try sendVideo([0x27, 0x01, 0, 0, 0, 0, 0, 0x07, 0xD4] + slice, timestamp: timestamp + UInt32(i + 1) * 40)
        }
    }
}
