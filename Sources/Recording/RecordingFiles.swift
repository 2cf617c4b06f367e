import ControlPlane
import Foundation
package import RelayCore

/// A recording's two files: the fragmented MP4 and its fragment index (`.idx`). Paths come from
/// ``RecordingDirectory`` only; neither operation follows a symbolic link.
package enum RecordingFiles {
    struct RemovalError: Error, CustomStringConvertible {
        let file: String
        let errno: Int32
        var description: String { "cannot remove \(file): \(String(cString: strerror(errno)))" }
    }

    static func indexPath(_ path: String) -> String { path + ".idx" }

    package static func index(_ path: String) -> RecordingIndex {
        guard let data = FileManager.default.contents(atPath: indexPath(path)) else { return RecordingIndex() }
        return RecordingIndex(text: String(decoding: data, as: UTF8.self))
    }

    /// After a crash: the file cut back to its last complete fragment (what the index lists), and
    /// what is left of it.
    static func recover(_ path: String) -> (durationMillis: Int64, bytes: Int64) {
        let index = index(path)
        var info = stat()
        let size = lstat(path, &info) == 0 ? Int64(info.st_size) : 0
        let keep = index.completeLength
        if size > keep {
            let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                _ = ftruncate(fd, off_t(keep))
                close(fd)
            }
        }
        return (index.durationMillis, min(size, keep))
    }

    /// Removes both files (unlink: never a directory, never a link's target); a file already
    /// gone is not an error.
    static func remove(_ path: String) throws(RemovalError) {
        for file in [path, indexPath(path)] where unlink(file) != 0 && errno != ENOENT {
            throw RemovalError(file: file, errno: errno)
        }
    }
}
