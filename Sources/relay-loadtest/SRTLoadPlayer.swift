import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SRT

/// `srt://host:port?streamid=...` split for ``SRTCaller``.
struct SRTURL {
    let host: String
    let port: Int
    let streamID: String

    init?(_ text: String) {
        guard text.hasPrefix("srt://"), let components = URLComponents(string: text.replacingOccurrences(of: "#", with: "%23")),
            let host = components.host, let port = components.port,
            let streamID = components.queryItems?.first(where: { $0.name == "streamid" })?.value
        else { return nil }
        self.host = host
        self.port = port
        self.streamID = streamID
    }
}

/// One SRT player on its own thread, as `srt-live-transmit` would play: connects with the
/// streamid and receives the relay's MPEG-TS, counting bytes, the time to the first data (the
/// relay starts every SRT player on a keyframe with PAT/PMT first) and stalls (> 1 s without data).
final class SRTLoadPlayer: @unchecked Sendable {
    private let url: SRTURL
    private let startedAt: UInt64
    private let state = NIOLockedValueBox(PlayerSnapshot())
    private let lastData = NIOLockedValueBox<UInt64?>(nil)
    private let stopping = NIOLockedValueBox(false)
    private let caller = NIOLockedValueBox<SRTCaller?>(nil)

    init(url: SRTURL, startedAt: UInt64) {
        self.url = url
        self.startedAt = startedAt
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "srt-player"
        thread.start()
    }

    func stop() {
        stopping.withLockedValue { $0 = true }
        caller.withLockedValue { $0?.close() }
    }

    func snapshot() -> PlayerSnapshot {
        var copy = state.withLockedValue { $0 }
        let now = NIODeadline.now().uptimeNanoseconds
        if let last = lastData.withLockedValue({ $0 }), now > last + PlayerHandler.stallNanos { copy.stalls += 1 }
        return copy
    }

    private func run() {
        let connection: SRTCaller
        do {
            connection = try SRTCaller(host: url.host, port: url.port, streamID: url.streamID)
        } catch {
            state.withLockedValue { $0.failure = "srt connect: \(error)" }
            return
        }
        caller.withLockedValue { $0 = connection }
        state.withLockedValue { $0.connected = true }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 8)
        defer { buffer.deallocate() }
        while !stopping.withLockedValue({ $0 }) {
            switch connection.receive(into: buffer) {
            case .bytes(let count):
                let now = NIODeadline.now().uptimeNanoseconds
                let previous = lastData.withLockedValue { last -> UInt64? in
                    defer { last = now }
                    return last
                }
                state.withLockedValue { state in
                    state.bytes += count
                    state.mediaMessages += 1
                    if state.firstKeyframeNanos == nil { state.firstKeyframeNanos = now - startedAt }
                    if let previous, now - previous > PlayerHandler.stallNanos { state.stalls += 1 }
                }
            case .timedOut:
                continue
            case .closed:
                if !stopping.withLockedValue({ $0 }) { state.withLockedValue { $0.disconnected = true } }
                return
            }
        }
    }
}
