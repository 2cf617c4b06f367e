internal import CFFmpeg

/// One compressed packet read from a ``MediaInput``; owns its `AVPacket`.
///
/// The packet and its payload are freed with `av_packet_free` when this object goes away.
/// Read the payload in place with ``withUnsafeBytes(_:)`` or copy it with ``data``.
public final class MediaPacket {
    /// The owned packet; non-nil for the object's whole life.
    let pointer: UnsafeMutablePointer<AVPacket>

    /// Allocates an empty packet (`av_packet_alloc`).
    init() throws(FFmpegError) {
        guard let packet = av_packet_alloc() else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "av_packet_alloc")
        }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    /// Index of the stream this packet belongs to (see ``MediaInput/streams``).
    public var streamIndex: Int { Int(pointer.pointee.stream_index) }

    /// Presentation timestamp in the stream's time base; nil when unknown.
    public var pts: Int64? { Self.timestamp(pointer.pointee.pts) }

    /// Decoding timestamp in the stream's time base; nil when unknown.
    public var dts: Int64? { Self.timestamp(pointer.pointee.dts) }

    /// Duration in the stream's time base; nil when unknown.
    public var duration: Int64? { pointer.pointee.duration > 0 ? pointer.pointee.duration : nil }

    /// Whether the packet starts a decodable picture or audio frame on its own.
    public var isKeyframe: Bool { pointer.pointee.flags & cffmpeg_AV_PKT_FLAG_KEY() != 0 }

    /// Whether the demuxer saw damage in this packet (e.g. missing MPEG-TS packets).
    public var isCorrupt: Bool { pointer.pointee.flags & cffmpeg_AV_PKT_FLAG_CORRUPT() != 0 }

    /// Payload size in bytes.
    public var size: Int { Int(pointer.pointee.size) }

    /// A copy of the payload.
    public var data: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the payload in place; the buffer is valid only during the call.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let buffer = UnsafeRawBufferPointer(start: pointer.pointee.data, count: size)
        return try body(buffer)
    }

    private static func timestamp(_ value: Int64) -> Int64? {
        value == cffmpeg_AV_NOPTS_VALUE() ? nil : value
    }

    /// Replaces the packet's data with a copy of `bytes`, stamped `pts`/`dts` (in the time base
    /// the receiving codec expects), for sending to a decoder.
    func load(_ bytes: UnsafeRawBufferPointer, pts: Int64, dts: Int64, keyframe: Bool = false) throws(FFmpegError) {
        let p = pointer
        av_packet_unref(p)
        try FFmpegError.check(av_new_packet(p, Int32(bytes.count)), "av_new_packet")
        if let base = bytes.baseAddress, !bytes.isEmpty {
            p.pointee.data.update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        p.pointee.pts = pts
        p.pointee.dts = dts
        if keyframe { p.pointee.flags |= cffmpeg_AV_PKT_FLAG_KEY() }
    }
}
