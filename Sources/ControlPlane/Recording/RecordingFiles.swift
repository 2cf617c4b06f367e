import Foundation
import RelayCore

/// A recording's two files: the fragmented MP4 and its fragment index (`.idx`).
enum RecordingFiles {
    static func indexPath(_ path: String) -> String { path + ".idx" }

    static func index(_ path: String) -> RecordingIndex {
        guard let data = FileManager.default.contents(atPath: indexPath(path)) else { return RecordingIndex() }
        return RecordingIndex(text: String(decoding: data, as: UTF8.self))
    }

    /// After a crash: the file cut back to its last complete fragment (what the index lists), and
    /// what is left of it.
    static func recover(_ path: String) -> (durationMillis: Int64, bytes: Int64) {
        let index = index(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        let keep = index.completeLength
        if size > keep { _ = truncate(path, off_t(keep)) }
        return (index.durationMillis, min(size, keep))
    }

    /// Removes both files; a file already gone is not an error.
    static func remove(_ path: String) throws {
        for file in [path, indexPath(path)] {
            do {
                try FileManager.default.removeItem(atPath: file)
            } catch let error as CocoaError where error.code == .fileNoSuchFile {
                continue
            }
        }
    }
}
