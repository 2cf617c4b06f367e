import Foundation
import ProcessTestSupport

/// One ffmpeg player that stays connected: decodes every picture of `url` to a 64x36 RGB file
/// and logs each picture's time (showinfo), so a test can tell what it showed over time, in
/// order, and whether its frame times stayed continuous.
final class ContinuousPlayer {
    enum Picture: Equatable { case teacher, program, other }

    static let width = 64, height = 36
    private let file = NSTemporaryDirectory() + "continuous-\(UUID().uuidString.prefix(8)).rgb"
    private let process: ChildProcess

    init(url: String) throws {
        process = try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "info", "-threads", "1", "-i", url, "-an", "-fps_mode", "passthrough",
                "-vf", "showinfo,scale=\(Self.width):\(Self.height)", "-f", "rawvideo", "-pix_fmt", "rgb24", "-flush_packets", "1", "-y", file,
            ])
    }

    deinit { try? FileManager.default.removeItem(atPath: file) }

    func stop() { process.signal(SIGKILL) }

    /// What each decoded picture showed so far, in order, from the `first`-th on.
    func pictures(from first: Int = 0) -> [Picture] {
        let size = Self.width * Self.height * 3
        guard let handle = FileHandle(forReadingAtPath: file) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(first * size))) != nil, let data = try? handle.readToEnd() else { return [] }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - size + 1, by: size).map { Self.classify(bytes[$0..<($0 + size)]) }
    }

    /// Waits (up to 30 s) until `count` pictures of `kind` came, counting only after the first
    /// picture of `after` when given.
    func waitFor(_ kind: Picture, count: Int, after: Picture? = nil) async -> Bool {
        // A wait cut short (cancelled) is a wait that failed.
        let seen = try? await waitUntil(timeout: .seconds(30)) {
            var seen = pictures()
            if let after { seen = Array(seen.drop { $0 != after }) }
            return seen.filter { $0 == kind }.count
        } until: {
            $0 >= count
        }
        return (seen ?? 0) >= count
    }

    /// The decoded pictures' times in seconds, in decoding order (from showinfo's `pts_time:`).
    func frameTimes() -> [Double] {
        process.stderr.split(separator: "\n").compactMap { line in
            guard line.contains("Parsed_showinfo"), let range = line.range(of: "pts_time:") else { return nil }
            return Double(line[range.upperBound...].prefix { !$0.isWhitespace })
        }
    }

    private static func classify(_ picture: ArraySlice<UInt8>) -> Picture {
        func pixel(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
            let i = picture.startIndex + (y * width + x) * 3
            return (Int(picture[i]), Int(picture[i + 1]), Int(picture[i + 2]))
        }
        let teacher = [(4, 4), (32, 18), (58, 4), (4, 32), (40, 30)].allSatisfy { ProgramTests.isBlue(pixel($0.0, $0.1)) }
        let inset = [(55, 30), (50, 28), (60, 33)].map { pixel($0.0, $0.1) }
        guard teacher else { return .other }
        if inset.allSatisfy(ProgramTests.isRed) { return .program }
        return inset.allSatisfy(ProgramTests.isBlue) ? .teacher : .other
    }
}
