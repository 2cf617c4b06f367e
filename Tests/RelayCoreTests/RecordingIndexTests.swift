import RelayCore
import Testing

/// The fragment index beside a recording: parsing (a write cut short is ignored), where a
/// recovery cuts the file, and the HLS playlist of byte ranges made from it.
@Suite struct RecordingIndexTests {
    static let text = "init 1216\nfrag 1216 67359 0 2000\nfrag 68575 69585 2000 2000\nfrag 138160 68939 4000 1960\n"

    @Test func parsesCompleteLines() {
        let index = RecordingIndex(text: Self.text)
        #expect(index.initLength == 1216)
        #expect(index.fragments.count == 3)
        #expect(index.fragments[1] == .init(offset: 68575, length: 69585, startMillis: 2000, durationMillis: 2000))
        #expect(index.completeLength == 138160 + 68939)
        #expect(index.durationMillis == 5960)
    }

    @Test func aLineCutShortAndWhatFollowsGarbageAreIgnored() {
        #expect(RecordingIndex(text: Self.text + "frag 207099 683").fragments.count == 3)
        #expect(RecordingIndex(text: "init 1216\nfrag x y\nfrag 1216 10 0 10\n").fragments.isEmpty)
        #expect(RecordingIndex(text: "frag 1216 10 0 10\n").fragments.isEmpty, "no fragment before the init section")
        let empty = RecordingIndex(text: "")
        #expect(empty.initLength == 0 && empty.completeLength == 0 && empty.durationMillis == 0)
        #expect(RecordingIndex(text: "init 12").initLength == 0, "the init line itself cut short")
    }

    @Test func linesRoundTrip() {
        let fragment = RecordingIndex.Fragment(offset: 5, length: 7, startMillis: 11, durationMillis: 13)
        let index = RecordingIndex(text: RecordingIndex.initLine(length: 5) + RecordingIndex.fragmentLine(fragment))
        #expect(index.fragments == [fragment])
    }

    @Test func playlistOfByteRanges() {
        let index = RecordingIndex(text: Self.text)
        let vod = index.playlist(uri: "../r.mp4?t=x", finished: true)
        #expect(vod.hasPrefix("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"))
        #expect(vod.contains("#EXT-X-MAP:URI=\"../r.mp4?t=x\",BYTERANGE=\"1216@0\"\n"))
        #expect(vod.contains("#EXTINF:2.000,\n#EXT-X-BYTERANGE:67359@1216\n../r.mp4?t=x\n"))
        #expect(vod.contains("#EXTINF:1.960,\n#EXT-X-BYTERANGE:68939@138160\n"))
        #expect(vod.hasSuffix("#EXT-X-ENDLIST\n"))
        let growing = index.playlist(uri: "f", finished: false)
        #expect(growing.contains("#EXT-X-PLAYLIST-TYPE:EVENT\n"))
        #expect(!growing.contains("ENDLIST"))
    }
}
