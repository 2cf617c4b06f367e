import Media
import RelayCore
import Testing
import Transcode

/// `transcode.sourceServesItsSize`: the rung as tall as the source is left to the source.
struct SourceServesItsSizeTests {
    @Test func theSourceSizedRungIsNotMadeWhenTheSourceServesIt() {
        let settings = TranscodeSettings(sourceServesItsSize: true)
        let made = settings.rungs(forSourceWidth: 1280, height: 720, videoKbps: 2500).map(\.name)
        #expect(made == ["480p", "360p"])
        // Taller sources keep every rung of the ladder.
        #expect(settings.rungs(forSourceWidth: 1920, height: 1080, videoKbps: 5000).map(\.name) == ["720p", "480p", "360p"])
    }

    @Test func byDefaultTheSourceSizedRungIsEncoded() {
        let made = TranscodeSettings().rungs(forSourceWidth: 1280, height: 720, videoKbps: 2500).map(\.name)
        #expect(made == ["720p", "480p", "360p"])
    }
}
