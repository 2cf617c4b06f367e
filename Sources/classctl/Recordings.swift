import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct Recordings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recordings", abstract: "Recorded lessons (名校网络课堂 replay).",
        subcommands: [List.self, Show.self, Download.self, Remove.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recordings, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("class"), help: "Only this class's.") var classId: String?
        @Option(help: "Started at or after (RFC 3339).") var from: String?
        @Option(help: "Started before (RFC 3339).") var to: String?

        func run() async throws {
            var query: [URLQueryItem] = []
            if let classId { query.append(URLQueryItem(name: "classId", value: classId)) }
            if let from { query.append(URLQueryItem(name: "from", value: from)) }
            if let to { query.append(URLQueryItem(name: "to", value: to)) }
            let (list, data) = try await global.client().get([RecordingInfo].self, "recordings", query: query)
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.recordings(list))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a recording.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Recording id.") var id: String

        func run() async throws {
            let (info, data) = try await global.client().get(RecordingInfo.self, "recordings/\(id)")
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.recording(info))
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download a recording's MP4 (progress on stderr).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Recording id.") var id: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "Output file (default <id>.mp4).") var outputFile: String?

        func run() async throws {
            let client = try await global.client()
            let path = outputFile ?? "\(id).mp4"
            _ = try await client.get(RecordingInfo.self, "recordings/\(id)")  // a clear error for an unknown id
            let written = try await RecordingDownload(client: client, id: id, path: path).run { done, total in
                let percent = total > 0 ? Int(Double(done) * 100 / Double(total)) : 0
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "\r%@ %.1f / %.1f MB (%d%%)", path, Double(done) / 1_048_576,
                            Double(total) / 1_048_576, percent
                        ).utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            if !global.json { output("downloaded \(id) to \(path) (\(written) bytes)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a recording (its file and its entry).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Recording id.") var id: String

        func run() async throws {
            _ = try await global.client().send("DELETE", "recordings/\(id)")
            if !global.json { output("removed recording \(id)") }
        }
    }
}

/// Fetches `/recordings/<id>.mp4` in ranges of a few MB into a file (memory stays bounded, and a
/// cut connection loses one range, not the download).
struct RecordingDownload {
    let client: APIClient
    let id: String
    let path: String
    static let chunk = 4 << 20

    func run(progress: (Int, Int) -> Void) async throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw CLIError.failed("cannot write \(path)")
        }
        defer { try? file.close() }
        guard let url = URL(string: client.server + "/recordings/\(id).mp4") else { throw CLIError.usage("bad recording id \(id)") }
        var offset = 0
        var total = Int.max
        while offset < total {
            var request = URLRequest(url: url)
            request.timeoutInterval = 60
            if let token = client.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            request.setValue("bytes=\(offset)-\(offset + Self.chunk - 1)", forHTTPHeaderField: "Range")
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                throw CLIError.unreachable("cannot reach relayd at \(client.server): \(error.localizedDescription)")
            }
            guard let http = response as? HTTPURLResponse else { throw CLIError.unreachable("no HTTP answer from \(client.server)") }
            switch http.statusCode {
            case 206:
                let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
                total = range.split(separator: "/").last.flatMap { Int($0) } ?? offset + data.count
            case 200:
                total = data.count  // the whole file at once
            case 416 where offset > 0:
                total = offset
                continue
            default:
                throw client.refusal(http.statusCode, data)
            }
            guard !data.isEmpty else { break }
            try file.write(contentsOf: data)
            offset += data.count
            progress(offset, total)
        }
        return offset
    }
}
