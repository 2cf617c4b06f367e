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
            let client = try global.client()
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
            abstract: "Push a file or URL to the relay at its native rate (no re-encoding; H.264 + AAC).",
            discussion: """
                The API returns a school's key only when it is created or rotated, so the central school's \
                key must be given with --key or env CLASSCTL_KEY.
                Exits 0 at the end of the input (or on Ctrl-C), 1 when the server refuses the stream.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var classId: String
        @Option(help: "Media file or rtmp/srt/http URL (testsrc: not implemented yet).") var input: String
        @Option(name: .customLong("protocol"), help: "rtmp or srt.") var transport = "rtmp"
        @Option(help: "The central school's key (default: env CLASSCTL_KEY).") var key: String?
        @Flag(help: "Repeat the input forever with increasing timestamps.") var loop = false
        @Option(help: "RTMP base URL (default rtmp://<server host>:1935).") var rtmpUrlBase: String?
        @Option(help: "SRT base URL (default srt://<server host>:10080).") var srtUrlBase: String?

        func validate() throws {
            guard ["rtmp", "srt"].contains(transport) else { throw ValidationError("--protocol must be rtmp or srt") }
        }

        func run() async throws {
            if input == "testsrc" {
                throw CLIError.usage("--input testsrc is not implemented yet; give a file or URL")
            }
            guard let key = key ?? ProcessInfo.processInfo.environment["CLASSCTL_KEY"], !key.isEmpty else {
                throw CLIError.usage(
                    "the central school's key is needed: pass --key or set CLASSCTL_KEY (the API shows keys only on create and rotate-key)")
            }
            let client = try global.client()
            let (info, _) = try await client.get(ClassInfo.self, "classes/\(classId)")
            let target = try mediaURL(host: client.host, key: key)

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

            let pusher: MediaPusher
            do {
                pusher = try MediaPusher(
                    configuration: .init(input: input, output: target.url, formatName: target.format, loop: loop),
                    stopSignal: stop)
            } catch {
                throw CLIError.failed("\(input): \(error)")
            }
            let described = pusher.streams.map { stream in
                stream.kind == .video ? "\(stream.codecName) \(stream.width)x\(stream.height)" : stream.codecName
            }.joined(separator: " + ")
            FileHandle.standardError.write(Data(
                "pushing \(input) (\(described)) to \(target.display) for \(info.id) \"\(info.title)\"\n".utf8))

            let display = ProgressDisplay(tty: isatty(STDERR_FILENO) == 1)
            let result: Result<PushOutcome, PushError> = Result { () throws(PushError) -> PushOutcome in
                try pusher.run { display.show($0) }
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
        func mediaURL(host: String, key: String) throws -> (url: String, format: String, display: String) {
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
