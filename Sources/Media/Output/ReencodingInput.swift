internal import CFFmpeg

/// A push source for inputs that are not H.264 + AAC (MPEG-4 Part 2, MPEG-2, VP8, MP3, MP2, …):
/// demuxes, decodes, and re-encodes in process with libx264 (veryfast, zerolatency, 2 s GOP) and
/// the native AAC encoder, handing out encoded packets as a demuxer would. Streams already in
/// H.264/AAC are re-encoded too when the other one is not (one code path, one time base each).
///
/// Output stream 0 is video and 1 audio (either may be absent); packets' times are in the
/// encoder's time base, which the template stream carries. Not thread-safe.
final class ReencodingInput: PushSource {
    private let context: FormatContext
    private let templates: StreamTemplates
    let selected: [UnsafeMutablePointer<AVStream>]
    let outputIndex: [Int: Int]
    let hasVideo: Bool
    let reencodedFrom: String?

    private let video: VideoReencoder?
    private let audio: AudioReencoder?
    private let packet: MediaPacket
    private var ready: [MediaPacket] = []
    private var finished = false

    init(url: String) throws(FFmpegError) {
        context = try FormatContext(url: url, options: try FFmpegDictionary([:]))
        try FFmpegError.check(avformat_find_stream_info(context.pointer, nil), "avformat_find_stream_info")
        var videoStream: UnsafeMutablePointer<AVStream>?
        var audioStream: UnsafeMutablePointer<AVStream>?
        for index in 0..<Int(context.pointer.pointee.nb_streams) {
            guard let stream = context.pointer.pointee.streams[index] else { continue }
            switch stream.pointee.codecpar.pointee.codec_type {
            case AVMEDIA_TYPE_VIDEO where videoStream == nil && stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0:
                videoStream = stream
            case AVMEDIA_TYPE_AUDIO where audioStream == nil: audioStream = stream
            default: break
            }
        }
        guard videoStream != nil || audioStream != nil else {
            throw FFmpegError(code: cffmpeg_AVERROR(EINVAL), operation: "no audio or video stream in \(url)")
        }
        let videoIndex = 0
        let audioIndex = videoStream == nil ? 0 : 1
        video = try videoStream.map { stream throws(FFmpegError) in try VideoReencoder(source: stream, outputIndex: videoIndex) }
        audio = try audioStream.map { stream throws(FFmpegError) in try AudioReencoder(source: stream, outputIndex: audioIndex) }
        templates = try StreamTemplates(encoders: [video?.encoder.pointer, audio?.encoder.pointer].compactMap { $0 })
        selected = templates.streams
        outputIndex = Dictionary(uniqueKeysWithValues: selected.indices.map { ($0, $0) })
        hasVideo = video != nil
        reencodedFrom = [videoStream, audioStream].compactMap { $0 }
            .map { String(cString: avcodec_get_name($0.pointee.codecpar.pointee.codec_id)) }.joined(separator: " + ")
        packet = try MediaPacket()
    }

    func read() throws(FFmpegError) -> MediaInput.ReadResult {
        while ready.isEmpty {
            if finished { return .endOfStream }
            av_packet_unref(packet.pointer)
            let code = av_read_frame(context.pointer, packet.pointer)
            if code == FFmpegError.tryAgainCode { return .tryAgain }
            if code == FFmpegError.endOfFileCode {
                finished = true
                ready += try video?.finish() ?? []
                ready += try audio?.finish() ?? []
                continue
            }
            try FFmpegError.check(code, "av_read_frame")
            if let video, packet.streamIndex == video.sourceIndex {
                ready += try video.transcode(packet)
            } else if let audio, packet.streamIndex == audio.sourceIndex {
                ready += try audio.transcode(packet)
            }
        }
        return .packet(ready.removeFirst())
    }
}
