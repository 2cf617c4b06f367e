import Media
import NIOCore
import RelayCore

/// Encodes one rung: libx264 (``H264TagEncoder``) at the rung's size and video bitrate, with the
/// settings' preset, tune and threads, and keyframes only where the transcoder asks (aligned
/// across rungs: x264's own interval is four times the settings' GOP).
final class RungEncoder {
    let rendition: Rendition
    private let encoder: H264TagEncoder

    init(rendition: Rendition, fps: Double, settings: TranscodeSettings) throws(FFmpegError) {
        self.rendition = rendition
        let rate = max(1, Int32((fps > 0 ? fps : 30).rounded()))
        encoder = try H264TagEncoder(
            .init(
                width: rendition.width, height: rendition.height, frameRate: rate,
                keyframeInterval: Int32(max(1, settings.gopSeconds) * Double(rate)) * 4, videoKbps: rendition.videoKbps,
                threads: settings.encoderThreads, preset: settings.preset(of: rendition), tune: settings.tune))
    }

    /// The AVC sequence header (FLV tag body) built from the encoder's global header.
    var sequenceHeader: [UInt8] { encoder.sequenceHeader }

    /// Encodes `frame` at `pts` (ms), a keyframe when `keyframe`; hands every packet out as an
    /// FLV video message.
    func encode(
        _ frame: MediaFrame, pts: Int64, keyframe: Bool, allocator: ByteBufferAllocator, emit: (MediaMessage) -> Void
    ) throws(FFmpegError) {
        try encoder.encode(frame, pts: pts, keyframe: keyframe, allocator: allocator, emit: emit)
    }
}
