import Foundation
import Media
import NIOCore
import ProcessTestSupport
import RelayCore
import Testing

@testable import HLS

/// The fMP4 muxer against an independent reader: the FLV tags of a file ffmpeg made, muxed in
/// memory, then read back by ffprobe (codecs, picture size, every packet, the stream's own
/// timestamps kept).
@Suite("Fragmented MP4 in memory")
struct FragmentedMP4MuxerTests {
    /// The FLV file's tags as the relay carries them, timestamps moved `offset` ms later.
    static func messages(_ path: String, offset: UInt32 = 0) throws -> [MediaMessage] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var messages: [MediaMessage] = []
        var position = 13
        while position + 11 <= bytes.count {
            let size = Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let timestamp =
                UInt32(bytes[position + 4]) << 16 | UInt32(bytes[position + 5]) << 8 | UInt32(bytes[position + 6]) | UInt32(bytes[position + 7]) << 24
            let start = position + 11
            guard start + size <= bytes.count else { break }
            if let kind = MediaMessage.Kind(rawValue: bytes[position]) {
                messages.append(MediaMessage(kind: kind, timestamp: timestamp &+ offset, payload: ByteBuffer(bytes: bytes[start..<(start + size)])))
            }
            position = start + size + 4
        }
        return messages
    }

    @Test("init section and a fragment per keyframe read back whole, with the stream's timestamps")
    func muxesWhatFFprobeReads() async throws {
        let media = try TestMedia.files()
        let messages = try Self.messages(media.flv, offset: 100_000)
        var tracks = FragmentedMP4Muxer.Tracks()
        for message in messages where message.isSequenceHeader {
            let applied = tracks.apply(sequenceHeader: message)
            #expect(applied)
        }
        #expect(tracks.codecs.hasPrefix("avc1.64"), "\(tracks.codecs)")
        #expect(tracks.codecs.hasSuffix(",mp4a.40.2"), "\(tracks.codecs)")
        let muxer = try FragmentedMP4Muxer(tracks: tracks)
        var file = muxer.initSection
        #expect(String(decoding: file[4..<8], as: UTF8.self) == "ftyp")
        var fragments = 0
        var videoPackets = 0
        var started = false
        for message in messages where !message.isSequenceHeader && message.kind != .metadata {
            if message.kind == .video, message.isKeyframe, started {
                let fragment = try muxer.cutFragment()
                #expect(String(decoding: fragment[4..<8], as: UTF8.self) == "moof")
                file += fragment
                fragments += 1
            }
            started = started || (message.kind == .video && message.isKeyframe)
            guard started else { continue }
            // Pictures (AVC packet type 1; ffmpeg's FLV ends with an end-of-sequence tag, type 2).
            if message.kind == .video, message.payload.getInteger(at: message.payload.readerIndex + 1, as: UInt8.self) == 1 { videoPackets += 1 }
            try muxer.write(message)
        }
        file += try muxer.cutFragment()
        fragments += 1
        #expect(try muxer.cutFragment().isEmpty, "nothing muxed since the last cut")
        #expect(fragments >= 2, "2 s with a keyframe at least every second")

        let path = media.directory.appendingPathComponent("fragmented-\(UUID().uuidString).mp4").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-count_packets", "-show_entries", "stream=codec_name,width,height,nb_read_packets", "-of", "csv=p=0", path,
            ], timeout: .seconds(20))
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264,320,240,\(videoPackets)"), "\(out)")
        #expect(out.contains("aac"), "\(out)")
        let (_, first, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v", "-read_intervals", "%+#1", "-show_entries", "packet=dts_time", "-of", "csv=p=0", path,
            ], timeout: .seconds(20))
        let dts = Double(first.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(abs(dts - 100.0) < 0.1, "the first fragment keeps the stream's time (tfdt), not zero: \(first)")
    }

    @Test("a High-profile record without chroma format and bit depths gets them from its SPS")
    func highProfileExtension() throws {
        // libx264's 640x360 High 3.0 SPS/PPS, as our encoder wraps them (no extension).
        let bare = FragmentedMP4MuxerTests.hex("0164001effe100186764001eacb405017fcb08000003000800000301e478b17501000468ef3cb0")
        var header = ByteBuffer(bytes: [0x17, 0, 0, 0, 0] + bare)
        var tracks = FragmentedMP4Muxer.Tracks()
        let applied = tracks.apply(sequenceHeader: MediaMessage(kind: .video, timestamp: 0, payload: header))
        #expect(applied)
        #expect(tracks.video?.record == bare + [0xFD, 0xF8, 0xF8, 0x00], "4:2:0, 8 bits")
        #expect(tracks.videoCodec == "avc1.64001e")
        // A record that has it, and a Baseline one, are kept as they are.
        header = ByteBuffer(bytes: [0x17, 0, 0, 0, 0] + bare + [0xFD, 0xF8, 0xF8, 0x00])
        _ = tracks.apply(sequenceHeader: MediaMessage(kind: .video, timestamp: 0, payload: header))
        #expect(tracks.video?.record.count == bare.count + 4)
        let baseline = FragmentedMP4MuxerTests.hex("0142c01fffe100176742c01fda014016ec0440000003004000000f03c60ca801000468ce3c80")
        _ = tracks.apply(sequenceHeader: MediaMessage(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x17, 0, 0, 0, 0] + baseline)))
        #expect(tracks.video?.record == baseline)
    }

    static func hex(_ string: String) -> [UInt8] {
        stride(from: 0, to: string.count, by: 2).map { offset in
            let start = string.index(string.startIndex, offsetBy: offset)
            return UInt8(string[start..<string.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test("no track, or a sequence header of another codec, is refused")
    func refusesWhatItCannotMux() throws {
        #expect(throws: FFmpegError.self) { try FragmentedMP4Muxer(tracks: .init()) }
        var tracks = FragmentedMP4Muxer.Tracks()
        let hevc = tracks.apply(sequenceHeader: MediaMessage(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: [0x1C, 0, 0, 0, 0, 1, 2])))
        let brokenAAC = tracks.apply(sequenceHeader: MediaMessage(kind: .audio, timestamp: 0, payload: ByteBuffer(bytes: [0xAF, 0, 0xFF])))
        #expect(!hevc && !brokenAAC)
        #expect(tracks.video == nil && tracks.audio == nil)
    }
}

@Suite("HLS media playlists")
struct HLSSegmentWindowTests {
    static func bytes(_ value: UInt8) -> ByteBuffer { ByteBuffer(bytes: [value]) }

    @Test("the newest segments are listed with their map, older ones stay fetchable a little longer")
    func windowAndPlaylist() {
        var window = HLSSegmentWindow(listed: 3, extraKept: 1, targetDuration: 2)
        window.startMap(Self.bytes(0xA0))
        for index in 0..<5 { window.append(durationSeconds: 2.0, startMillis: Int64(index * 2000), bytes: Self.bytes(UInt8(index))) }
        let playlist = window.mediaPlaylist(query: "t=abc")
        #expect(playlist.hasPrefix("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:2\n"))
        #expect(playlist.contains("#EXT-X-MAP:URI=\"init-0.mp4?t=abc\"\n#EXTINF:2.000,\n2.m4s?t=abc\n"))
        #expect(playlist.hasSuffix("4.m4s?t=abc\n"))
        #expect(!playlist.contains("1.m4s"))
        #expect(window.segment(sequence: 1) == Self.bytes(1), "left the playlist, still fetchable")
        #expect(window.segment(sequence: 0) == nil)
        #expect(window.segment(sequence: 5) == nil)
        #expect(window.map(number: 0) == Self.bytes(0xA0))
    }

    @Test("a new init section is a discontinuity; the count carries on once its segments leave")
    func discontinuities() {
        var window = HLSSegmentWindow(listed: 2, extraKept: 0, targetDuration: 1)
        window.startMap(Self.bytes(0xA0))
        window.append(durationSeconds: 4.2, startMillis: 0, bytes: Self.bytes(0))
        window.startMap(Self.bytes(0xA1))
        window.append(durationSeconds: 3.9, startMillis: 4200, bytes: Self.bytes(1))
        let both = window.mediaPlaylist(query: "")
        #expect(both.contains("#EXT-X-TARGETDURATION:4\n"))
        #expect(both.contains("#EXT-X-DISCONTINUITY-SEQUENCE:0\n"))
        #expect(both.contains("0.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"\n#EXTINF:3.900,\n1.m4s\n"))
        window.append(durationSeconds: 1, startMillis: 8100, bytes: Self.bytes(2))
        let later = window.mediaPlaylist(query: "")
        #expect(later.contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"))
        #expect(!later.contains("#EXT-X-DISCONTINUITY\n"))
        #expect(later.contains("#EXT-X-TARGETDURATION:4\n"), "the target duration never shrinks")
        #expect(window.map(number: 0) == nil, "an init section no kept segment uses is gone")
        #expect(window.map(number: 1) != nil)
    }

    @Test("low-latency HLS: parts listed as they come, a preload hint, old segments' parts dropped")
    func partsAndPreloadHint() {
        var window = HLSSegmentWindow(listed: 6, extraKept: 0, targetDuration: 2, partTarget: 0.6)
        window.startMap(Self.bytes(0xA0))
        window.appendPart(durationSeconds: 0.5, independent: true, bytes: Self.bytes(1))
        window.appendPart(durationSeconds: 0.5, independent: false, bytes: Self.bytes(2))
        #expect(window.has(sequence: 0, part: 1))
        #expect(!window.has(sequence: 0, part: 2))
        #expect(!window.has(sequence: 0, part: nil))
        #expect(window.part(sequence: 0, index: 1) == Self.bytes(2))
        window.closeSegment(startMillis: 0)
        #expect(window.segment(sequence: 0) == ByteBuffer(bytes: [1, 2]), "a segment is its parts one after another")
        #expect(window.part(sequence: 0, index: 0) == Self.bytes(1))
        window.appendPart(durationSeconds: 0.52, independent: true, bytes: Self.bytes(3))
        let playlist = window.mediaPlaylist(query: "t=x")
        #expect(playlist.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.800\n#EXT-X-PART-INF:PART-TARGET=0.600\n"))
        #expect(
            playlist.contains(
                """
                #EXT-X-PART:DURATION=0.500,URI="0.0.m4s?t=x",INDEPENDENT=YES
                #EXT-X-PART:DURATION=0.500,URI="0.1.m4s?t=x"
                #EXTINF:1.000,
                0.m4s?t=x
                #EXT-X-PART:DURATION=0.520,URI="1.0.m4s?t=x",INDEPENDENT=YES
                #EXT-X-PRELOAD-HINT:TYPE=PART,URI="1.1.m4s?t=x"

                """), "\(playlist)")
        for index in 1...4 {
            window.closeSegment(startMillis: Int64(index * 1000))
            window.appendPart(durationSeconds: 0.5, independent: true, bytes: Self.bytes(UInt8(10 + index)))
        }
        #expect(window.part(sequence: 0, index: 0) == nil, "parts only for the newest segments")
        #expect(window.segment(sequence: 0) != nil)
        #expect(!window.mediaPlaylist(query: "").contains("\"0.0.m4s\""))
    }
}
