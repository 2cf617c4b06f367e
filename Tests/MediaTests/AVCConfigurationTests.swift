import RelayTestSupport
import Testing

@testable import Media

@Suite("AVCConfiguration")
struct AVCConfigurationTests {
    private func record(_ container: String) throws -> [UInt8] {
        let files = try TestMedia.files()
        let input = try MediaInput(url: container == "flv" ? files.flv : files.mp4)
        return try #require(input.streams.first { $0.kind == .video }?.extradata)
    }

    @Test("parses the avcC record of the generated stream", arguments: ["mp4", "flv"])
    func parsesGeneratedRecord(container: String) throws {
        let bytes = try record(container)
        let config = try AVCConfiguration.parse(bytes)
        #expect(config.width == 320)
        #expect(config.height == 240)
        #expect(config.profile == Int(bytes[1]))
        #expect(config.level == Int(bytes[3]))
        #expect(config.nalLengthSize == 4)
        #expect(config.sequenceParameterSets.count == 1)
        #expect(config.pictureParameterSets.count == 1)
    }

    @Test("truncated records throw", arguments: [0, 1, 5, 6, 8, 20, 33, 34, 36, 41])
    func rejectsTruncated(length: Int) throws {
        let bytes = try record("mp4")
        try #require(bytes.count >= 42)
        #expect(throws: FFmpegError.self) { try AVCConfiguration.parse(Array(bytes.prefix(length))) }
    }

    @Test("garbage records throw")
    func rejectsGarbage() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let bytes = generator.bytes(Int.random(in: 0...64, using: &generator))
            #expect(throws: FFmpegError.self) { try AVCConfiguration.parse(bytes) }
        }
    }

    @Test("well-framed records with garbage SPS/PPS never crash")
    func survivesGarbageParameterSets() {
        FFmpegLog.setLevel(.quiet)
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            let sps = [0x67] + generator.bytes(Int.random(in: 1...24, using: &generator))
            let pps = [0x68] + generator.bytes(Int.random(in: 1...8, using: &generator))
            let bytes: [UInt8] = [1, 0x64, 0, 0x1F, 0xFF, 0xE1, 0, UInt8(sps.count)] + sps + [1, 0, UInt8(pps.count)] + pps
            do {
                let config = try AVCConfiguration.parse(bytes)
                #expect(config.width > 0 && config.height > 0)
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }
}
