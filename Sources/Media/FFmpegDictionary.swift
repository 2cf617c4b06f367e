internal import CFFmpeg

/// Owns an `AVDictionary` of string options passed to libav* open calls.
///
/// libav* may consume entries and leave unrecognised ones behind; whatever remains is
/// freed here in `deinit`, so no option list leaks on any path.
final class FFmpegDictionary {
    /// The dictionary pointer; libav* functions take its address.
    var raw: OpaquePointer?

    /// Creates a dictionary holding `entries`.
    init(_ entries: [String: String]) throws(FFmpegError) {
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            try FFmpegError.check(av_dict_set(&raw, key, value, 0), "av_dict_set")
        }
    }

    deinit {
        av_dict_free(&raw)
    }
}
