import Foundation
import Testing

@testable import Media

@Suite("MediaInput errors")
struct MediaInputErrorTests {
    @Test("a missing path throws from avformat_open_input with a message")
    func missingPath() throws {
        FFmpegLog.setLevel(.quiet)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).flv").path
        let error = try #require(throws: FFmpegError.self) { try MediaInput(url: path) }
        #expect(error.operation == "avformat_open_input")
        #expect(error.code < 0)
        #expect(!error.message.isEmpty)
        #expect(error.description.contains("avformat_open_input"))
    }

    @Test("a file of random bytes throws instead of crashing", arguments: [1, 2, 3] as [UInt64])
    func randomBytes(seed: UInt64) throws {
        FFmpegLog.setLevel(.quiet)
        let path = try TestMedia.randomFile(count: 64 * 1024, seed: seed)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: FFmpegError.self) { try MediaInput(url: path) }
        #expect(!error.message.isEmpty)
    }
}
