import Foundation
import NIOConcurrencyHelpers
public import RelayCore

/// One publisher's MPEG-TS ingest on its own thread: demuxes the bytes pushed into ``input``
/// and hands FLV-tag ``MediaMessage``s to the relay. Never runs on an event loop.
public final class TSIngest: Sendable {
    public struct Handlers: Sendable {
        /// Each converted message, in order, on the ingest thread.
        public var message: @Sendable (MediaMessage) -> Void
        /// The video's description when its configuration is first seen or changes.
        public var videoInfo: @Sendable (VideoInfo) -> Void
        /// Once, when the ingest stops: why (input ended, not MPEG-TS, no usable stream).
        public var ended: @Sendable (String) -> Void

        public init(
            message: @escaping @Sendable (MediaMessage) -> Void, videoInfo: @escaping @Sendable (VideoInfo) -> Void,
            ended: @escaping @Sendable (String) -> Void
        ) {
            self.message = message
            self.videoInfo = videoInfo
            self.ended = ended
        }
    }

    /// Where the socket layer pushes received bytes; closing it ends the ingest.
    public let input: TSByteQueue
    private let handlers: Handlers
    /// Bytes of input the demuxer may read to find its streams (4 × its probe size): noise
    /// has no packets, and libavformat would otherwise read it for as long as it comes.
    public static let probeReadLimit = 800_000

    public init(input: TSByteQueue = TSByteQueue(), handlers: Handlers) {
        self.input = input
        self.handlers = handlers
    }

    /// The ingest thread once started; its owner joins it after closing ``input``.
    private let started = NIOLockedValueBox<OwnedThread?>(nil)
    public var thread: OwnedThread? { started.withLockedValue { $0 } }

    /// Starts the ingest thread (`name`: at most 15 characters are kept by Linux).
    public func start(name: String) {
        do {
            let thread = try OwnedThread(name: name) { [self] in
                let reason = self.run()
                self.input.close()
                self.handlers.ended(reason)
            }
            started.withLockedValue { $0 = thread }
        } catch {
            input.close()
            handlers.ended("\(error)")
        }
    }

    private func run() -> String {
        let demuxer: TSDemuxer
        input.setReadLimit(Self.probeReadLimit)
        do {
            demuxer = try TSDemuxer(input: input)
        } catch {
            if input.totalRead >= Self.probeReadLimit { return "no H.264 or AAC stream in the first \(Self.probeReadLimit) bytes" }
            return input.isClosed ? "input ended before any stream was found" : "not MPEG-TS: \(error)"
        }
        if demuxer.streams.isEmpty, input.totalRead >= Self.probeReadLimit {
            return "no H.264 or AAC stream in the first \(Self.probeReadLimit) bytes"
        }
        input.setReadLimit(nil)
        let video = demuxer.streams.first { $0.kind == .video && $0.codecName == "h264" }
        let audio = demuxer.streams.first { $0.kind == .audio && $0.codecName == "aac" }
        guard video != nil || audio != nil else {
            let found = demuxer.streams.map(\.codecName).joined(separator: ", ")
            return "no H.264 or AAC stream in the MPEG-TS (found: \(found.isEmpty ? "nothing" : found))"
        }
        var converter = TSToFLVConverter(expectsVideo: video != nil, expectsAudio: audio != nil)
        let fps = video?.frameRate ?? 0
        while true {
            let result: MediaInput.ReadResult
            do {
                result = try demuxer.readPacket()
            } catch {
                return "demuxing failed: \(error)"
            }
            switch result {
            case .endOfStream:
                return "input ended"
            case .tryAgain:
                continue
            case .packet(let packet):
                let stream = packet.streamIndex == video?.index ? video : (packet.streamIndex == audio?.index ? audio : nil)
                guard let stream, let dts = packet.dts ?? packet.pts else { continue }
                let elementary = ElementaryPacket(
                    codec: stream.kind == .video ? .h264 : .aac,
                    dtsMillis: Self.millis(dts, stream.timeBase), ptsMillis: Self.millis(packet.pts ?? dts, stream.timeBase),
                    data: packet.data, isKeyframe: packet.isKeyframe, isCorrupt: packet.isCorrupt
                )
                for message in converter.convert(elementary) { handlers.message(message) }
                if let config = converter.newVideoConfiguration {
                    converter.newVideoConfiguration = nil
                    handlers.videoInfo(VideoInfo(codec: "h264", width: config.width, height: config.height, fps: fps))
                }
            }
        }
    }

    static func millis(_ value: Int64, _ base: MediaStreamInfo.TimeBase) -> Int64 {
        guard base.denominator > 0 else { return value }
        return value * 1000 * Int64(base.numerator) / Int64(base.denominator)
    }
}
