import Testing

@testable import Media

@Suite("FFmpegError")
struct FFmpegErrorTests {
    @Test("check passes non-negative codes through")
    func passesSuccess() throws {
        #expect(try FFmpegError.check(0, "op") == 0)
        #expect(try FFmpegError.check(42, "op") == 42)
    }

    @Test("check throws negative codes with operation and strerror text")
    func throwsFailure() throws {
        let error = try #require(throws: FFmpegError.self) { try FFmpegError.check(FFmpegError.invalidDataCode, "demo_call") }
        #expect(error == FFmpegError(code: FFmpegError.invalidDataCode, operation: "demo_call"))
        #expect(error.message == "Invalid data found when processing input")
        #expect(error.description == "demo_call failed: Invalid data found when processing input (\(FFmpegError.invalidDataCode))")
    }
}
