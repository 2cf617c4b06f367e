internal import CFFmpeg

/// A failed libav* call: the negative return code, the C function that produced it,
/// and FFmpeg's own text for it.
///
/// Every C return code in this module goes through ``check(_:_:)``, so callers see one
/// typed error instead of raw integers. Hot-path "try again" and "end of file" codes are
/// not thrown; they surface as enum results (see ``MediaInput/ReadResult``).
public struct FFmpegError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The negative `AVERROR` code returned by FFmpeg.
    public let code: Int32
    /// The C function (or parsing step) that failed, e.g. `"avformat_open_input"`.
    public let operation: String
    /// Human-readable text for ``code``, from `av_strerror`.
    public let message: String

    /// Creates an error for `code`, taking the message from `av_strerror`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.message = Self.describe(code)
    }

    /// `"operation failed: message (code)"`.
    public var description: String {
        "\(operation) failed: \(message) (\(code))"
    }

    /// Returns `code` unchanged when it is non-negative; throws an ``FFmpegError`` otherwise.
    ///
    /// This is the single chokepoint that turns C status codes into Swift errors.
    @discardableResult
    public static func check(_ code: Int32, _ operation: String) throws(FFmpegError) -> Int32 {
        guard code < 0 else { return code }
        throw FFmpegError(code: code, operation: operation)
    }

    /// An `AVERROR_INVALIDDATA` error, used when input bytes are malformed.
    static func invalidData(_ operation: String) -> FFmpegError {
        FFmpegError(code: Self.invalidDataCode, operation: operation)
    }

    /// `AVERROR_EOF`.
    static let endOfFileCode: Int32 = cffmpeg_AVERROR_EOF()
    /// `AVERROR(EAGAIN)`.
    package static let tryAgainCode: Int32 = cffmpeg_AVERROR_EAGAIN()
    /// `AVERROR_INVALIDDATA`.
    static let invalidDataCode: Int32 = cffmpeg_AVERROR_INVALIDDATA()
    /// `AVERROR(EINVAL)`.
    package static let invalidArgumentCode: Int32 = cffmpeg_AVERROR(EINVAL)
    /// `AVERROR(ENOMEM)`.
    static let outOfMemoryCode: Int32 = cffmpeg_AVERROR(ENOMEM)

    private static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let text = buffer.withUnsafeMutableBufferPointer { raw in
            String(cString: cffmpeg_strerror(code, raw.baseAddress, raw.count))
        }
        return text.isEmpty ? "FFmpeg error \(code)" : text
    }
}
