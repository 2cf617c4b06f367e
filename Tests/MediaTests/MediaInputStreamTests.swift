import Testing

@testable import Media

@Suite("MediaInput streams")
struct MediaInputStreamTests {
    @Test("probes a 320x240 25 fps h264 stream and a 44.1 kHz aac stream", arguments: ["flv", "mp4"])
    func probesStreams(container: String) throws {
        let files = try TestMedia.files()
        let input = try MediaInput(url: container == "flv" ? files.flv : files.mp4)

        let video = try #require(input.streams.first { $0.kind == .video })
        #expect(video.codecName == "h264")
        #expect(video.width == 320)
        #expect(video.height == 240)
        let frameRate = try #require(video.frameRate)
        #expect(abs(frameRate - 25) < 0.01)
        #expect(video.timeBase.denominator > 0)
        #expect(!video.extradata.isEmpty)

        let audio = try #require(input.streams.first { $0.kind == .audio })
        #expect(audio.codecName == "aac")
        #expect(audio.sampleRate == 44100)
        #expect(audio.channels == 1)
        #expect(audio.frameRate == nil)
        #expect(input.streams.map(\.index) == Array(input.streams.indices))
    }

    @Test("probe options are accepted")
    func acceptsOptions() throws {
        let options = MediaInputOptions(probeSize: 32_768, analyzeDurationMicroseconds: 500_000)
        let input = try MediaInput(url: try TestMedia.files().flv, options: options)
        #expect(input.streams.count == 2)
    }
}
