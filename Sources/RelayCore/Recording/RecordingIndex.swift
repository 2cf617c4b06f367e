/// The fragment index a recorder writes beside its fragmented MP4 (`<file>.idx`), a line per
/// complete piece, appended only once the piece's bytes are on disk:
///
///     init <length>
///     frag <offset> <length> <startMillis> <durationMillis>
///
/// From it the relay serves the recording as an HLS VOD playlist of byte ranges of the one file,
/// and after a crash cuts the file back to its last complete fragment and knows its duration.
public struct RecordingIndex: Sendable, Equatable {
    public struct Fragment: Sendable, Equatable {
        public var offset: Int64
        public var length: Int64
        public var startMillis: Int64
        public var durationMillis: Int64

        public init(offset: Int64, length: Int64, startMillis: Int64, durationMillis: Int64) {
            self.offset = offset
            self.length = length
            self.startMillis = startMillis
            self.durationMillis = durationMillis
        }
    }

    /// ftyp + moov at the file's start (0 until written).
    public var initLength: Int64 = 0
    public var fragments: [Fragment] = []

    public init() {}

    /// Parses an index; a last line without its newline (a write cut short) is ignored, and so is
    /// anything after a line that does not parse.
    public init(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // the text after the last newline: empty, or a partial line
        for line in lines {
            let fields = line.split(separator: " ")
            if fields.first == "init", fields.count == 2, let length = Int64(fields[1]) {
                initLength = length
            } else if fields.first == "frag", fields.count == 5, let o = Int64(fields[1]), let l = Int64(fields[2]),
                let s = Int64(fields[3]), let d = Int64(fields[4]), initLength > 0
            {
                fragments.append(Fragment(offset: o, length: l, startMillis: s, durationMillis: d))
            } else {
                break
            }
        }
    }

    public static func initLine(length: Int64) -> String { "init \(length)\n" }

    public static func fragmentLine(_ f: Fragment) -> String {
        "frag \(f.offset) \(f.length) \(f.startMillis) \(f.durationMillis)\n"
    }

    /// Where the complete part of the file ends: what a recovery keeps.
    public var completeLength: Int64 { fragments.last.map { $0.offset + $0.length } ?? initLength }

    public var durationMillis: Int64 { fragments.reduce(0) { $0 + $1.durationMillis } }

    /// An HLS playlist (RFC 8216) of byte ranges of the file at `uri`: `VOD` with an end when the
    /// recording is finished, `EVENT` (growing) while it is written.
    public func playlist(uri: String, finished: Bool) -> String {
        let longest = fragments.map(\.durationMillis).max() ?? 1000
        var lines = [
            "#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\((longest + 999) / 1000)",
            "#EXT-X-PLAYLIST-TYPE:\(finished ? "VOD" : "EVENT")", "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-INDEPENDENT-SEGMENTS",
            "#EXT-X-MAP:URI=\"\(uri)\",BYTERANGE=\"\(initLength)@0\"",
        ]
        for fragment in fragments {
            let seconds = Double(fragment.durationMillis) / 1000
            lines.append("#EXTINF:\(String(format3: seconds)),")
            lines.append("#EXT-X-BYTERANGE:\(fragment.length)@\(fragment.offset)")
            lines.append(uri)
        }
        if finished { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// `seconds` with three decimals, without Foundation.
    fileprivate init(format3 seconds: Double) {
        let millis = Int64((seconds * 1000).rounded())
        let fraction = String(millis % 1000)
        self = "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
