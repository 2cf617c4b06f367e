import Media
import NIOCore
import RelayCore

/// Decodes one picture source of the program (the teacher's stream or a site's return feed)
/// from its FLV video messages: an AVC sequence header (re)opens the decoder; a packet the
/// decoder refuses is counted and decoding resumes at the next keyframe (as the transcoder
/// does). Owned by the thread that composes.
final class ProgramFeedDecoder {
    private var decoder: VideoDecoder?
    private var waitingForKeyframe = true
    /// Packets refused, and sequence headers that opened no decoder.
    private(set) var decodeErrors = 0

    init() {}

    /// Decodes one message; `picture` gets each decoded picture (valid during the call), its
    /// `pts` in milliseconds.
    func decode(_ message: MediaMessage, picture: (MediaFrame) throws(FFmpegError) -> Void) throws(FFmpegError) {
        guard message.kind == .video else { return }
        guard let tag = AVCVideoTag(message.payload) else { return }  // not AVC
        let payload = tag.body
        if tag.packetType == .sequenceHeader {
            let record = Array(payload.readableBytesView)
            guard record != decoder?.record else { return }
            decoder = try? VideoDecoder(record: record)
            if decoder == nil { decodeErrors += 1 }
            waitingForKeyframe = true
            return
        }
        guard tag.packetType == .nalUnits, let decoder else { return }
        if waitingForKeyframe {
            guard message.isKeyframe else { return }
            waitingForKeyframe = false
        }
        do {
            try decoder.send(tag, of: message)
        } catch {
            skipToKeyframe(decoder)
            return
        }
        while true {
            let received: Bool
            do { received = try decoder.receive() } catch {
                skipToKeyframe(decoder)
                return
            }
            guard received, let pts = decoder.framePts else { return }
            decoder.frame.pts = pts
            try picture(decoder.frame)
        }
    }

    /// Drops pictures held for reordering (a new publisher starts).
    func restart() {
        decoder?.flush()
        waitingForKeyframe = true
    }

    private func skipToKeyframe(_ decoder: VideoDecoder) {
        decodeErrors += 1
        waitingForKeyframe = true
        decoder.flush()
    }
}
