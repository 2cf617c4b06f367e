internal import CFFmpeg

/// Owns one `AVCodecContext`, from `avcodec_alloc_context3` to `avcodec_free_context`.
final class CodecContext {
    /// The owned context; non-nil for the object's whole life.
    let pointer: UnsafeMutablePointer<AVCodecContext>
    let codec: UnsafePointer<AVCodec>

    /// Allocates a context for the decoder of `codecID`.
    convenience init(decoder codecID: AVCodecID) throws(FFmpegError) {
        guard let codec = avcodec_find_decoder(codecID) else {
            throw FFmpegError(code: cffmpeg_AVERROR(ENOSYS), operation: "avcodec_find_decoder")
        }
        try self.init(codec: codec)
    }

    /// Allocates a context for the encoder called `name` (e.g. `libx264`, `aac`).
    convenience init(encoderNamed name: String) throws(FFmpegError) {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw FFmpegError(code: cffmpeg_AVERROR(ENOSYS), operation: "avcodec_find_encoder_by_name(\(name))")
        }
        try self.init(codec: codec)
    }

    private init(codec: UnsafePointer<AVCodec>) throws(FFmpegError) {
        guard let context = avcodec_alloc_context3(codec) else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avcodec_alloc_context3")
        }
        self.codec = codec
        self.pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// Installs `bytes` as codec extradata: an `av_mallocz` copy with the zeroed padding
    /// libavcodec's bit readers require. The context frees it.
    func setExtradata(_ bytes: [UInt8]) throws(FFmpegError) {
        let padded = bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE)
        guard let storage = av_mallocz(padded)?.assumingMemoryBound(to: UInt8.self) else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "av_mallocz")
        }
        storage.update(from: bytes, count: bytes.count)
        av_freep(&pointer.pointee.extradata)
        pointer.pointee.extradata = storage
        pointer.pointee.extradata_size = Int32(bytes.count)
    }

    /// Opens the decoder (`avcodec_open2`) with the current settings.
    func open() throws(FFmpegError) {
        try FFmpegError.check(avcodec_open2(pointer, codec, nil), "avcodec_open2")
    }

    /// `profile` as libavcodec reports it (may carry constraint flag bits above 0xFF).
    var profile: Int { Int(pointer.pointee.profile) }

    /// `level` as libavcodec reports it.
    var level: Int { Int(pointer.pointee.level) }
}
