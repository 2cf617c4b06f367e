import NIOConcurrencyHelpers
import NIOCore
import RTMP

/// What the publisher sent when: RTMP timestamp → send instant, so players in the same
/// process measure the relay-added latency of each message. Keyframe fingerprints map to
/// their timestamps so a server that rewrites timestamps (nginx-rtmp without `atc`) can be
/// matched too.
final class SendLog: Sendable {
    private struct State {
        var sent: [UInt64: UInt64] = [:]
        var order = CircularBuffer<UInt64>(initialCapacity: 32_768)
        var keyframes: [UInt64: UInt32] = [:]
        var idrs: [UInt64: UInt32] = [:]
    }
    private let state = NIOLockedValueBox(State())
    private static let capacity = 30_000

    static func key(type: UInt8, timestamp: UInt32) -> UInt64 { UInt64(type) << 32 | UInt64(timestamp) }

    func record(type: UInt8, timestamp: UInt32, at nanos: UInt64, keyframe: UInt64?, idr: UInt64? = nil) {
        state.withLockedValue { state in
            if let idr { state.idrs[idr] = timestamp }
            let key = Self.key(type: type, timestamp: timestamp)
            if state.sent.updateValue(nanos, forKey: key) == nil { state.order.append(key) }
            while state.order.count > Self.capacity, let old = state.order.popFirst() { state.sent[old] = nil }
            if let keyframe { state.keyframes[keyframe] = timestamp }
        }
    }

    func sentAt(type: UInt8, timestamp: UInt32) -> UInt64? {
        state.withLockedValue { $0.sent[Self.key(type: type, timestamp: timestamp)] }
    }

    func keyframeTimestamp(_ fingerprint: UInt64) -> UInt32? {
        state.withLockedValue { $0.keyframes[fingerprint] }
    }

    /// The timestamp of the keyframe whose IDR NAL unit has this ``WHEPClientSession/nalFingerprint(_:)``
    /// (how a WebRTC viewer, which sees NAL units and RTP timestamps, finds what was sent when).
    func idrTimestamp(_ fingerprint: UInt64) -> UInt32? {
        state.withLockedValue { $0.idrs[fingerprint] }
    }
}

/// One player's counters. Confined to its channel's event loop; read through `snapshot()`.
struct PlayerSnapshot: Sendable {
    var bytes = 0
    var mediaMessages = 0
    var firstKeyframeNanos: UInt64?
    var stalls = 0
    var disconnected = false
    /// The server said the stream ended (NetStream.Play.Stop or UnpublishNotify) before closing.
    var toldEnded = false
    var failure: String?
    var connected = false
    /// RTP packets missing from the sequence (WebRTC players).
    var lostPackets = 0
    /// HTTP requests made (HLS players: playlists, init sections, segments).
    var requests = 0
}

/// Plays one stream as rtmpdump would: connect, createStream, play; then reads and parses
/// every message, answering acknowledgements and pings.
final class PlayerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = RTMPChunkDecoder.Output
    typealias OutboundOut = ByteBuffer

    let url: RTMPURL
    let sendLog: SendLog?
    let counter: ByteCounter
    let startedAt: UInt64
    private var writer = RTMPClientWriter()
    private var streamID: UInt32 = 1
    private var lastMedia: UInt64?
    private var timestampOffset: Int64?
    private(set) var state = PlayerSnapshot()
    /// Relay-added latency of each matched media message, in microseconds.
    private(set) var latencies: [UInt32] = []
    var stopping = false
    static let stallNanos: UInt64 = 1_000_000_000

    init(url: RTMPURL, sendLog: SendLog?, counter: ByteCounter, startedAt: UInt64) {
        self.url = url
        self.sendLog = sendLog
        self.counter = counter
        self.startedAt = startedAt
        latencies.reserveCapacity(8192)
    }

    func snapshot() -> PlayerSnapshot {
        let now = NIODeadline.now().uptimeNanoseconds
        var copy = state
        copy.bytes = counter.bytes
        if let lastMedia, now > lastMedia + Self.stallNanos { copy.stalls += 1 }  // stalled right now
        return copy
    }

    func channelActive(context: ChannelHandlerContext) {
        state.connected = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !stopping { state.disconnected = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if state.failure == nil { state.failure = "\(error)" }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RTMPHandshakeCompleted else { return context.fireUserInboundEventTriggered(event) }
        writer.connect(url, flashVer: "LNX 9,0,124,2", context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let message = answerControl(unwrapInboundIn(data), writer: writer, context: context) else { return }
        switch message.type {
        case .video, .audio:
            media(message)
        case .amf0Command:
            do {
                try command(RTMPCommand(payload: message.payload), context: context)
            } catch {
                errorCaught(context: context, error: error)
            }
        default:
            break
        }
    }

    private func command(_ command: RTMPCommand, context: ChannelHandlerContext) throws {
        if let id = writer.continuePlay(after: command, stream: url.stream, context: context) {
            if id != 0 { streamID = id }
            return
        }
        switch (command.name, command.transactionID) {
        case ("_error", _):
            state.failure = "server refused: \(command.arguments)"
            context.close(promise: nil)
        default:
            guard let status = statusCode(command) else { return }
            if status.level == "error" {
                state.failure = status.code
                context.close(promise: nil)
            } else if status.code == "NetStream.Play.Stop" || status.code == "NetStream.Play.UnpublishNotify" {
                state.toldEnded = true
            }
        }
    }

    private func media(_ message: RTMPMessage) {
        let now = NIODeadline.now().uptimeNanoseconds
        if let lastMedia, now - lastMedia > Self.stallNanos { state.stalls += 1 }
        lastMedia = now
        state.mediaMessages += 1
        let payload = message.payload
        let isVideo = message.typeID == RTMPMessageType.video.rawValue
        if state.firstKeyframeNanos == nil, isVideo,
            let b0 = payload.getInteger(at: payload.readerIndex, as: UInt8.self),
            let b1 = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self),
            b0 >> 4 == 1, b1 != 0 || b0 & 0x0F != 7
        {
            state.firstKeyframeNanos = now - startedAt
            if let sendLog, let sentTimestamp = sendLog.keyframeTimestamp(payloadFingerprint(payload)) {
                timestampOffset = Int64(message.timestamp) - Int64(sentTimestamp)
            }
        }
        guard let sendLog, state.firstKeyframeNanos != nil else { return }
        let original = Int64(message.timestamp) - (timestampOffset ?? 0)
        guard original >= 0, let sent = sendLog.sentAt(type: message.typeID, timestamp: UInt32(truncatingIfNeeded: original)),
            sent >= startedAt, now >= sent
        else { return }  // cached GOP sent before this player connected: catch-up, not relay latency
        latencies.append(UInt32(min((now - sent) / 1000, UInt64(UInt32.max))))
    }
}
