import Foundation
import ProcessTestSupport
import Testing

@testable import Media

@Suite("AVCConfiguration variants")
struct AVCConfigurationVariantTests {
    @Test(
        "sizes needing crop and other profiles",
        arguments: [
            (1920, 1080, "baseline", 66), (1280, 720, "main", 77), (176, 144, "high", 100),
        ] as [(Int, Int, String, Int)])
    func parsesVariants(width: Int, height: Int, profileName: String, profile: Int) throws {
        let bytes = try Self.record(width: width, height: height, profile: profileName)
        let config = try AVCConfiguration.parse(bytes)
        #expect(config.width == width)
        #expect(config.height == height)
        #expect(config.profile == profile)
    }

    @Test("a PPS with a non-zero id is still found")
    func nonZeroPPSID() throws {
        let original = try Self.record(width: 320, height: 240, profile: "high")
        let config = try AVCConfiguration.parse(Self.renumberingPPS(of: original, to: 3))
        #expect(config.width == 320)
        #expect(config.height == 240)
    }

    /// The avcC record of a one-frame clip encoded with libx264.
    private static func record(width: Int, height: Int, profile: String) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("MediaTests-\(width)x\(height)-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=\(width)x\(height):rate=25",
            "-frames:v", "1", "-c:v", "libx264", "-profile:v", profile, "-pix_fmt", "yuv420p", path,
        ]
        try process.run()
        process.waitForExit()
        try #require(process.terminationStatus == 0)
        let input = try MediaInput(url: path)
        return try #require(input.streams.first?.extradata)
    }

    /// Rewrites the record's single PPS so its leading ue(v) pic_parameter_set_id is `id`.
    private static func renumberingPPS(of record: [UInt8], to id: Int) throws -> [UInt8] {
        let spsLength = Int(record[6]) << 8 | Int(record[7])
        let ppsStart = 8 + spsLength + 3
        let ppsLength = Int(record[ppsStart - 2]) << 8 | Int(record[ppsStart - 1])
        let pps = Array(record[ppsStart..<ppsStart + ppsLength])
        var bits = pps.dropFirst().flatMap { byte in (0..<8).reversed().map { byte >> $0 & 1 == 1 } }
        try #require(bits.first == true)  // ue(0)
        bits.removeFirst()
        while bits.last == false { bits.removeLast() }  // keep the rbsp stop bit
        let code = id + 1
        let width = Int.bitWidth - code.leadingZeroBitCount
        bits = Array(repeating: false, count: width - 1) + (0..<width).reversed().map { code >> $0 & 1 == 1 } + bits
        while bits.count % 8 != 0 { bits.append(false) }
        let body = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        let newPPS = [pps[0]] + body
        return Array(record[..<(ppsStart - 2)]) + [UInt8(newPPS.count >> 8), UInt8(newPPS.count & 0xFF)]
            + newPPS + Array(record[(ppsStart + ppsLength)...])
    }
}
