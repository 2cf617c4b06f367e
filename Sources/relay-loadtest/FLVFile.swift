import Foundation
import NIOCore
import WebRTC

/// One tag of an FLV file: an RTMP audio (8), video (9) or data (18) message body.
struct FLVTag: Sendable {
    let type: UInt8
    let timestamp: UInt32
    let body: ByteBuffer

    var isVideo: Bool { type == 9 }
    var isAudio: Bool { type == 8 }
    var isScript: Bool { type == 18 }

    /// AVC/HEVC decoder configuration or AAC AudioSpecificConfig: sent once, not on every loop.
    var isSequenceHeader: Bool {
        guard let first = body.getInteger(at: body.readerIndex, as: UInt8.self) else { return false }
        let second = body.getInteger(at: body.readerIndex + 1, as: UInt8.self)
        if isVideo { return (first & 0x0F == 7 || first & 0x0F == 12) && second == 0 }
        if isAudio { return first >> 4 == 10 && second == 0 }
        return false
    }

    var isKeyframe: Bool {
        guard isVideo, let first = body.getInteger(at: body.readerIndex, as: UInt8.self) else { return false }
        return first >> 4 == 1 && !isSequenceHeader
    }
}

/// A whole FLV file in memory (FLV spec: 9-byte header, then tags each followed by the
/// 4-byte size of the previous tag).
struct FLVFile: Sendable {
    let tags: [FLVTag]

    enum ParseError: Error, CustomStringConvertible {
        case notFLV(String)
        case truncated(String)
        var description: String {
            switch self {
            case .notFLV(let p): return "\(p) is not an FLV file"
            case .truncated(let p): return "\(p) ends in the middle of a tag"
            }
        }
    }

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var buffer = ByteBuffer(bytes: data)
        guard buffer.readString(length: 3) == "FLV",
            buffer.readInteger(as: UInt8.self) != nil,
            buffer.readInteger(as: UInt8.self) != nil,
            let offset = buffer.readInteger(as: UInt32.self)
        else { throw ParseError.notFLV(path) }
        buffer.moveReaderIndex(to: Int(offset))
        _ = buffer.readInteger(as: UInt32.self)  // PreviousTagSize0
        var tags: [FLVTag] = []
        while buffer.readableBytes >= 11 {
            let type = buffer.readInteger(as: UInt8.self)! & 0x1F
            let size = Int(Self.readUInt24(&buffer))
            let low = Self.readUInt24(&buffer)
            let high = UInt32(buffer.readInteger(as: UInt8.self)!)
            _ = Self.readUInt24(&buffer)  // stream id, always 0
            guard let body = buffer.readSlice(length: size) else { throw ParseError.truncated(path) }
            _ = buffer.readInteger(as: UInt32.self)
            if type == 8 || type == 9 || type == 18 {
                tags.append(FLVTag(type: type, timestamp: high << 24 | low, body: body))
            }
        }
        self.tags = tags
    }

    private static func readUInt24(_ buffer: inout ByteBuffer) -> UInt32 {
        let b0 = UInt32(buffer.readInteger(as: UInt8.self)!)
        let b1 = UInt32(buffer.readInteger(as: UInt8.self)!)
        let b2 = UInt32(buffer.readInteger(as: UInt8.self)!)
        return b0 << 16 | b1 << 8 | b2
    }

    /// Media time covered by one pass, plus one frame so the next loop does not repeat a timestamp.
    var loopDuration: UInt32 {
        let media = tags.filter { !$0.isScript }
        guard let first = media.first?.timestamp, let last = media.last?.timestamp else { return 1000 }
        let videoTimes = media.filter(\.isVideo).map(\.timestamp)
        var frame: UInt32 = 33
        if videoTimes.count > 1 {
            frame = max(1, (videoTimes.last! - videoTimes.first!) / UInt32(videoTimes.count - 1))
        }
        return last - first + frame
    }
}

/// FNV-1a of a payload's length and its last 64 bytes: identifies a keyframe across servers
/// that rewrite timestamps.
func payloadFingerprint(_ buffer: ByteBuffer) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ byte: UInt8) {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
    }
    let length = buffer.readableBytes
    for shift in stride(from: 0, to: 32, by: 8) { mix(UInt8(truncatingIfNeeded: length >> shift)) }
    let start = buffer.readerIndex + max(0, length - 64)
    buffer.withUnsafeReadableBytes { raw in
        for i in (start - buffer.readerIndex)..<raw.count { mix(raw[i]) }
    }
    return hash
}

/// ``WHEPClientSession/nalFingerprint(_:)`` of the first IDR NAL unit in an FLV AVC video tag's
/// body (frame type/codec, packet type 1, 24-bit composition time, 4-byte NAL lengths).
func idrFingerprint(_ body: ByteBuffer) -> UInt64? {
    guard body.getInteger(at: body.readerIndex + 1, as: UInt8.self) == 1 else { return nil }
    var offset = body.readerIndex + 5
    while let length = body.getInteger(at: offset, as: UInt32.self), length > 0,
        let nal = body.getSlice(at: offset + 4, length: Int(length))
    {
        if let header = nal.getInteger(at: nal.readerIndex, as: UInt8.self), header & 0x1F == 5 {
            return WHEPClientSession.nalFingerprint(nal.readableBytesView.dropFirst())
        }
        offset += 4 + Int(length)
    }
    return nil
}
