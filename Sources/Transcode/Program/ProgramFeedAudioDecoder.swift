import Media
import NIOCore
import RelayCore

/// Decodes an on-stage site's return-feed audio for the program's mix from its FLV AAC
/// messages (WHIP return feeds are AAC too: the ingest transcodes their Opus). A sequence
/// header (re)opens the decoder; a frame the decoder refuses is counted and skipped. Owned by
/// the thread that mixes.
final class ProgramFeedAudioDecoder {
    private var decoder: SourceAudioDecoder?
    /// Frames refused, and sequence headers that opened no decoder.
    private(set) var decodeErrors = 0

    init() {}

    /// Decodes one audio message; `audio` gets each decoded frame (valid during the call).
    func decode(_ message: MediaMessage, audio: (MediaFrame) throws(FFmpegError) -> Void) {
        guard message.kind == .audio, message.payload.readableBytes > 2 else { return }
        var payload = message.payload
        guard let flags = payload.readInteger(as: UInt8.self), flags >> 4 == 10,  // AAC
            let packetType = payload.readInteger(as: UInt8.self)
        else { return }
        if packetType == 0 {
            let config = Array(payload.readableBytesView)
            guard config != decoder?.config else { return }
            decoder = try? SourceAudioDecoder(config: config)
            if decoder == nil { decodeErrors += 1 }
            return
        }
        guard let decoder else { return }
        var refused = false
        payload.withUnsafeReadableBytes { bytes in
            do {
                try decoder.decode(bytes, millis: Int64(message.timestamp), audio)
            } catch {
                refused = true
            }
        }
        if refused { decodeErrors += 1 }
    }
}
