import Logging
import Media
import NIOConcurrencyHelpers
import RelayCore

/// One SRT publisher: received MPEG-TS goes to its ``TSIngest`` thread, whose FLV-tag messages
/// feed the stream like an RTMP publisher's (same registry, GOP cache and fan-out).
final class SRTPublisher: SRTPeer, StreamPublisher, Sendable {
    let socket: SRTSocket
    let stream: StreamKey
    private let logger: Logger
    private let session: NIOLockedValueBox<PublishSession?>
    private let ingest: TSIngest
    private let onClose: @Sendable (SRTSocket) -> Void
    private let bytesIn = NIOLockedValueBox<Int>(0)

    init(
        socket: SRTSocket, admitted: SRTAdmission.Admitted, registry: StreamRegistry, logger: Logger,
        onClose: @escaping @Sendable (SRTSocket) -> Void
    ) {
        self.socket = socket
        self.stream = admitted.streamID.stream
        self.logger = logger
        self.onClose = onClose
        let session = NIOLockedValueBox<PublishSession?>(nil)
        self.session = session
        let closer = ClosureBox()
        ingest = TSIngest(
            handlers: .init(
                message: { message in session.withLockedValue { $0 }?.publish(message) },
                videoInfo: { info in session.withLockedValue { $0 }?.setVideoInfo(info) },
                ended: { reason in closer.call(reason) }
            ))
        closer.set { [weak self] reason in self?.close(reason: reason) }
        let attached = registry.attachPublisher(
            self, to: stream, info: PublisherInfo(transport: .srt, schoolId: admitted.grant.schoolId)
        )
        session.withLockedValue { $0 = attached }
        logger.info("srt publish started", metadata: ["stream": "\(stream)", "remote": "\(socket.remote)"])
        ingest.start(name: "srt-ingest")
    }

    /// Drains what libsrt has received into the demuxer's queue (epoll thread).
    func readable() {
        var buffer = [UInt8](repeating: 0, count: 1500)
        for _ in 0..<256 {
            let result = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
            switch result {
            case .wouldBlock:
                return
            case .failed(let error):
                close(reason: "connection lost: \(error.message)")
                return
            case .bytes(let count):
                guard count > 0 else { continue }
                bytesIn.withLockedValue { $0 += count }
                let accepted = buffer.withUnsafeBytes { ingest.input.push(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                if !accepted {
                    close(reason: "demuxer fell behind (\(ingest.input.capacity) bytes queued)")
                    return
                }
            }
        }
    }

    /// The demuxing thread, joined by the epoll thread once the publisher closed.
    var ingestThread: OwnedThread? { ingest.thread }

    /// Another publisher took over, or the relay stops.
    func evict(reason: String) {
        close(reason: reason)
    }

    func close(reason: String) {
        let statistics = socket.statistics()
        guard socket.close(beforeClosing: { onClose(socket) }) else { return }
        ingest.input.close()
        session.withLockedValue { $0 }?.end()
        logger.info(
            "srt publisher closed",
            metadata: [
                "stream": "\(stream)", "remote": "\(socket.remote)", "reason": "\(reason)",
                "bytesIn": "\(bytesIn.withLockedValue { $0 })", "srt": "\(statistics.map { "\($0)" } ?? "-")",
            ])
    }
}

/// Breaks the init-time cycle between the ingest's handlers and the publisher.
final class ClosureBox: @unchecked Sendable {
    private let lock = NIOLock()
    private var body: ((String) -> Void)?
    func set(_ body: @escaping (String) -> Void) { lock.withLock { self.body = body } }
    func call(_ value: String) { lock.withLock { body }?(value) }
}
