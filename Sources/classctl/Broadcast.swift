import ArgumentParser
import Dispatch
import Foundation
import Media

#if canImport(Glibc)
    import Glibc
#endif

struct Broadcast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast", abstract: "Push a lesson to the relay, or watch its live state.",
        subcommands: [Start.self, Status.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The class's live state: publisher, renditions, each viewer.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var classId: String
        @Flag(help: "Refresh every 2 seconds until interrupted.") var watch = false

        func run() async throws {
            let client = try await global.client()
            let tty = isatty(STDOUT_FILENO) == 1
            repeat {
                let (view, data) = try await client.get(LiveView.self, "classes/\(classId)/live")
                let text = global.json ? String(decoding: data, as: UTF8.self) : Render.live(view)
                if watch && tty {
                    output("\u{1B}[H\u{1B}[2J" + text)
                } else {
                    output(text)
                    if watch { output("--") }
                }
                if watch { try await Task.sleep(for: .seconds(2)) }
            } while watch
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Push a file or URL to the relay at its native rate (H.264 + AAC as they are; other codecs re-encoded in process), or a generated test source.",
            discussion: """
                The API returns a school's key only when it is created or rotated, so the central school's \
                key must be given with --key or env CLASSCTL_KEY.
                Exits 0 at the end of the input (or on Ctrl-C), 1 when the server refuses the stream.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var classId: String
        @Option(help: "Media file, rtmp/srt/http URL, or testsrc (generated bars, clock and 1 kHz tone, encoded in process).")
        var input: String
        @Option(name: .customLong("protocol"), help: "rtmp or srt.") var transport = "rtmp"
        @Option(help: "The central school's key (default: env CLASSCTL_KEY).") var key: String?
        @Flag(help: "Repeat the input forever with increasing timestamps.") var loop = false
        @Option(help: "RTMP base URL (default: the server's RTMP port from /healthz, else rtmp://<server host>:1935).") var rtmpUrlBase: String?
        @Option(help: "SRT base URL (default: the server's SRT port from /healthz, else srt://<server host>:10080).") var srtUrlBase: String?
        @Option(help: "testsrc picture size, WIDTHxHEIGHT.") var size = "1280x720"
        @Option(help: "testsrc frame rate.") var fps = 25
        @Option(help: "testsrc: stop after this many seconds (default: until Ctrl-C).") var duration: Double?

        func validate() throws {
            guard ["rtmp", "srt"].contains(transport) else { throw ValidationError("--protocol must be rtmp or srt") }
            guard TestSourceSettings.parseSize(size) != nil else {
                throw ValidationError("--size must be WIDTHxHEIGHT with even numbers, e.g. 1280x720")
            }
            guard (1...120).contains(fps) else { throw ValidationError("--fps must be 1 to 120") }
            if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
            if duration != nil && input != "testsrc" { throw ValidationError("--duration applies to --input testsrc only") }
        }

        func run() async throws {
            guard let key = key ?? ProcessInfo.processInfo.environment["CLASSCTL_KEY"], !key.isEmpty else {
                throw CLIError.usage(
                    "the central school's key is needed: pass --key or set CLASSCTL_KEY (the API shows keys only on create and rotate-key)")
            }
            let client = try await global.client()
            let (info, _) = try await client.get(ClassInfo.self, "classes/\(classId)")
            let bases = await client.mediaBases(rtmp: rtmpUrlBase, srt: srtUrlBase)
            let target = try Self.mediaURL(
                host: client.host, key: key, classId: classId, transport: transport, rtmpUrlBase: bases.rtmp, srtUrlBase: bases.srt)
            let (width, height) = TestSourceSettings.parseSize(size)!
            try Self.push(
                input: input, testsrc: TestSourceSettings(width: width, height: height, fps: fps, duration: duration),
                loop: loop, target: target, info: info, key: key)
        }

        /// Pushes `input` (a file/URL, or `testsrc`) to `target` until its end or Ctrl-C, with
        /// the progress line; shared by `broadcast start` and `demo`.
        static func push(
            input: String, testsrc: TestSourceSettings, loop: Bool, target: (url: String, format: String, display: String),
            info: ClassInfo, key: String
        ) throws {
            let stop = PushStopSignal()
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let sources = [SIGINT, SIGTERM].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stop.stop() }
                source.resume()
                return source
            }
            defer { sources.forEach { $0.cancel() } }

            let runner: (((PushProgress) -> Void) throws(PushError) -> PushOutcome)
            let described: String
            do {
                if input == "testsrc" {
                    let generator = try TestSourcePusher(
                        configuration: .init(
                            width: testsrc.width, height: testsrc.height, fps: testsrc.fps, output: target.url,
                            formatName: target.format, durationSeconds: testsrc.duration),
                        stopSignal: stop)
                    runner = { (report) throws(PushError) in try generator.run(progress: report) }
                    described = generator.streamDescription
                } else {
                    let pusher = try MediaPusher(
                        configuration: .init(input: input, output: target.url, formatName: target.format, loop: loop),
                        stopSignal: stop)
                    runner = { (report) throws(PushError) in try pusher.run(progress: report) }
                    described =
                        pusher.streams.map { stream in
                            stream.kind == .video ? "\(stream.codecName) \(stream.width)x\(stream.height)" : stream.codecName
                        }.joined(separator: " + ") + (pusher.reencodedFrom.map { ", re-encoded from \($0)" } ?? "")
                }
            } catch {
                throw CLIError.failed("\(input): \(error)")
            }
            FileHandle.standardError.write(
                Data(
                    "pushing \(input) (\(described)) to \(target.display) for \(info.id) \"\(info.title)\"\n".utf8))

            let display = ProgressDisplay(tty: isatty(STDERR_FILENO) == 1)
            let result: Result<PushOutcome, PushError> = Result { () throws(PushError) -> PushOutcome in
                try runner { display.show($0) }
            }
            display.finish()
            let outcome: PushOutcome
            do {
                outcome = try Self.outcome(result, input: input, target: target.display)
            } catch let error as CLIError {
                throw error.redacting(key)
            }
            FileHandle.standardError.write(Data((outcome == .stopped ? "stopped\n" : "end of input\n").utf8))
        }

        /// Maps a push failure to classctl's exit codes: a refusal names the server's reason.
        static func outcome(_ result: Result<PushOutcome, PushError>, input: String, target: String) throws -> PushOutcome {
            let error: PushError
            switch result {
            case .success(let outcome): return outcome
            case .failure(let failure): error = failure
            }
            guard case .connectFailed = error else { throw CLIError.failed("\(input): \(error)") }
            if let reason = error.serverMessage {
                throw CLIError.refused("relay refused the stream at \(target): \(reason)")
            }
            throw CLIError.unreachable("cannot publish to \(target): \(error)")
        }

        /// The publish URL, the muxer for it, and the URL with the key hidden.
        static func mediaURL(
            host: String, key: String, classId: String, transport: String, rtmpUrlBase: String?, srtUrlBase: String?
        ) throws -> (url: String, format: String, display: String) {
            let encodedKey = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
            if transport == "srt" {
                var base = srtUrlBase ?? "srt://\(host):10080"
                while base.hasSuffix("/") { base.removeLast() }
                let streamID = "#!::r=live/\(classId),m=publish,s=\(key)"
                let encoded = streamID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? streamID
                return ("\(base)?streamid=\(encoded)", "mpegts", "\(base) (live/\(classId))")
            }
            var base = rtmpUrlBase ?? "rtmp://\(host):1935"
            while base.hasSuffix("/") { base.removeLast() }
            guard base.hasPrefix("rtmp://") else { throw CLIError.usage("--rtmp-url-base must start with rtmp://") }
            return ("\(base)/live/\(classId)?key=\(encodedKey)", "flv", "\(base)/live/\(classId)")
        }
    }
}

/// `--input testsrc` settings.
struct TestSourceSettings {
    var width = 1280
    var height = 720
    var fps = 25
    var duration: Double?

    /// `1280x720` → (1280, 720); nil unless both are even and at least 16.
    static func parseSize(_ text: String) -> (Int, Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
            width >= 16, height >= 16, width <= 7680, height <= 4320, width % 2 == 0, height % 2 == 0
        else { return nil }
        return (width, height)
    }
}

extension CLIError {
    /// The same error with `secret` (raw or percent-encoded) replaced by `***`, so libav*
    /// messages that quote the URL never print the key.
    func redacting(_ secret: String) -> CLIError {
        guard !secret.isEmpty else { return self }
        func hide(_ text: String) -> String {
            var text = text.replacingOccurrences(of: secret, with: "***")
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                text = text.replacingOccurrences(of: encoded, with: "***")
            }
            return text
        }
        switch self {
        case .refused(let text): return .refused(hide(text))
        case .unreachable(let text): return .unreachable(hide(text))
        case .usage(let text): return .usage(hide(text))
        case .failed(let text): return .failed(hide(text))
        }
    }
}

/// The one-line progress display: redrawn with `\r` on a terminal, a line every 10 s otherwise.
final class ProgressDisplay {
    let tty: Bool
    private var lastLine = -Double.infinity
    private var drawn = false
    private var lastReconnecting = false
    private var lastReconnects = 0

    init(tty: Bool) { self.tty = tty }

    static func line(_ progress: PushProgress) -> String {
        let seconds = Int(progress.elapsedSeconds)
        let elapsed = String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        var text = String(
            format: "%@  %5.1f fps  %6.0f kbit/s  dropped %d  reconnects %d",
            elapsed, progress.fps, progress.kbps, progress.dropped, progress.reconnects)
        if progress.reconnecting { text += "  (reconnecting…)" }
        return text
    }

    func show(_ progress: PushProgress) {
        if tty {
            FileHandle.standardError.write(Data(("\r" + Self.line(progress) + "\u{1B}[K").utf8))
            drawn = true
        } else if progress.elapsedSeconds - lastLine >= 10 || progress.reconnecting != lastReconnecting
            || progress.reconnects != lastReconnects
        {
            lastReconnecting = progress.reconnecting
            lastReconnects = progress.reconnects
            lastLine = progress.elapsedSeconds
            FileHandle.standardError.write(Data((Self.line(progress) + "\n").utf8))
        }
    }

    func finish() {
        if tty && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
