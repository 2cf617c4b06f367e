internal import CFFmpeg

extension MediaStreamInfo {
    /// The broad media type of a stream.
    public enum Kind: Sendable, Equatable {
        /// Pictures.
        case video
        /// Sound.
        case audio
        /// Data, subtitles, attachments or unknown.
        case other

        /// Maps libavutil's `AVMediaType`.
        init(_ type: AVMediaType) {
            switch type {
            case AVMEDIA_TYPE_VIDEO: self = .video
            case AVMEDIA_TYPE_AUDIO: self = .audio
            default: self = .other
            }
        }
    }
}
