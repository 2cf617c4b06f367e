internal import CFFmpeg

/// Where a pusher's packets come from: the streams it sends (first video, first audio) and a
/// packet at a time, each with `stream_index` set to its input stream's index.
protocol PushSource: AnyObject {
    var selected: [UnsafeMutablePointer<AVStream>] { get }
    /// Input stream index → output stream index.
    var outputIndex: [Int: Int] { get }
    var hasVideo: Bool { get }
    /// The original codecs when they are re-encoded, e.g. `mpeg4 + mp2`.
    var reencodedFrom: String? { get }
    func read() throws(FFmpegError) -> MediaInput.ReadResult
}

/// Opens `url` as it is when it carries H.264 and/or AAC only, else re-encoding what is not.
func openPushSource(url: String) throws(PushError) -> any PushSource {
    do {
        return try PushInput(url: url)
    } catch .unsupportedCodec(_) {
        do { return try ReencodingInput(url: url) } catch { throw .input(error) }
    }
}

/// The pusher's input: an open demuxer and the streams it sends (first video, first audio).
final class PushInput: PushSource {
    let context: FormatContext
    let selected: [UnsafeMutablePointer<AVStream>]
    /// Input stream index → output stream index.
    let outputIndex: [Int: Int]
    let hasVideo: Bool
    var reencodedFrom: String? { nil }

    init(url: String) throws(PushError) {
        do {
            let dictionary = try FFmpegDictionary([:])
            context = try FormatContext(url: url, options: dictionary)
            try FFmpegError.check(avformat_find_stream_info(context.pointer, nil), "avformat_find_stream_info")
        } catch {
            throw .input(error)
        }
        var video: UnsafeMutablePointer<AVStream>?
        var audio: UnsafeMutablePointer<AVStream>?
        for index in 0..<Int(context.pointer.pointee.nb_streams) {
            guard let stream = context.pointer.pointee.streams[index] else { continue }
            let parameters = stream.pointee.codecpar.pointee
            switch parameters.codec_type {
            case AVMEDIA_TYPE_VIDEO where video == nil:
                guard parameters.codec_id == AV_CODEC_ID_H264 else {
                    throw .unsupportedCodec(String(cString: avcodec_get_name(parameters.codec_id)))
                }
                video = stream
            case AVMEDIA_TYPE_AUDIO where audio == nil:
                guard parameters.codec_id == AV_CODEC_ID_AAC else {
                    throw .unsupportedCodec(String(cString: avcodec_get_name(parameters.codec_id)))
                }
                audio = stream
            default:
                break
            }
        }
        selected = [video, audio].compactMap { $0 }
        guard !selected.isEmpty else { throw .noMediaStreams }
        var map: [Int: Int] = [:]
        for (outIndex, stream) in selected.enumerated() { map[Int(stream.pointee.index)] = outIndex }
        outputIndex = map
        hasVideo = video != nil
    }

    func read() throws(FFmpegError) -> MediaInput.ReadResult {
        try context.readPacket()
    }
}
