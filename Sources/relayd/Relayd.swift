import ArgumentParser
import Foundation
import RelayNode

@main
struct Relayd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayd",
        abstract: "ClassroomRelay: live lesson relay for the three classrooms (RTMP, SRT and WHIP in; RTMP, SRT, WHEP, HLS and HTTP-FLV out)."
    )

    @Option(help: "YAML config file (default: configs/relayd.yaml when present).")
    var config: String?
    @Option(help: "Data directory (default ./var).")
    var dataDir: String?
    @Option(help: "Address to listen on (default 0.0.0.0).")
    var host: String?
    @Option(help: "RTMP port (default 1935).")
    var rtmpPort: Int?
    @Option(help: "SRT port (default 10080).")
    var srtPort: Int?
    @Option(help: "HTTP API port (default 8080).")
    var httpPort: Int?
    @Option(help: "WebRTC media port, UDP and ICE-TCP (default 8189; 0 picks free ones).")
    var webrtcPort: Int?
    @Option(help: "Database URL: sqlite:PATH or postgres://... (default sqlite:<data-dir>/relay.db).")
    var database: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String?

    static func main() async {
        do {
            // `parseAsRoot` answers --help and --version with a command of its own; `parse` throws
            // for them instead, and `exit(withError:)` below prints the help and exits 0.
            let command = try parse()
            try await command.run()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("relayd: config: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as RelaydError {
            FileHandle.standardError.write(Data("relayd: \(error)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data("relayd: \(fullMessage(for: error))\n".utf8))
            Foundation.exit(2)
        }
    }

    func run() async throws {
        var overrides = ConfigurationOverrides()
        overrides.dataDir = dataDir
        overrides.host = host
        overrides.rtmpPort = rtmpPort
        overrides.srtPort = srtPort
        overrides.httpPort = httpPort
        overrides.webrtcPort = webrtcPort
        overrides.database = database
        overrides.logLevel = logLevel
        let configuration = try RelaydConfiguration.resolve(file: config, overrides: overrides)
        try await RelayNode(configuration: configuration).run()
    }
}
