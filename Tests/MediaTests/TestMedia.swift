import Foundation
import Media
import ProcessTestSupport
import RelayTestSupport

/// Media files generated once per test run with the ffmpeg CLI (tests only; the product never spawns ffmpeg).
struct TestMedia: Sendable {
    let directory: URL
    let flv: String
    let mp4: String

    /// Generated on first use; shared by every test.
    static let shared: Result<TestMedia, any Error> = Result { try TestMedia() }

    /// Returns the shared files, or throws why they could not be made.
    static func files() throws -> TestMedia { try shared.get() }

    private init() throws {
        FFmpegLog.setLevel(.quiet)
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("MediaTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        flv = directory.appendingPathComponent("out.flv").path
        mp4 = directory.appendingPathComponent("out.mp4").path
        for output in [flv, mp4] {
            try Self.ffmpeg([
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25",
                "-c:a", "aac", "-shortest", output,
            ])
        }
    }

    /// Writes `count` seeded pseudo-random bytes to a new file in the temp directory.
    static func randomFile(count: Int, seed: UInt64) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("MediaTests-random-\(UUID().uuidString).bin")
        var generator = SeededGenerator(seed: seed)
        try Data(generator.bytes(count)).write(to: url)
        return url.path
    }

    private static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg"] + arguments
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitForExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "ffmpeg exited \(process.terminationStatus)"])
        }
    }
}
