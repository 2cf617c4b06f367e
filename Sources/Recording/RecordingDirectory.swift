import ControlPlane
import Foundation

/// This node's recordings directory, and the only place a recording's path is made: from its
/// id, which must be one the relay makes (`rec-` and ten of ``Validation/newID(prefix:)``'s
/// letters), never from the catalogue's `file` column nor from a request. A file is touched
/// (served, cut back, removed) only when it is a regular file directly in the directory: a
/// symbolic link, a directory or anything else under that name is left alone, so no row, request
/// or planted link reaches a file outside.
struct RecordingDirectory: Sendable {
    /// The directory as configured (`<data-dir>/recordings`).
    let path: String

    static let idPrefix = "rec-"
    static let idLetters = Set("abcdefghijkmnpqrstuvwxyz23456789")

    /// Whether `id` has the form of the relay's own recording ids.
    static func isRecordingID(_ id: String) -> Bool {
        guard id.hasPrefix(idPrefix) else { return false }
        let rest = id.dropFirst(idPrefix.count)
        return rest.count == 10 && rest.allSatisfy { idLetters.contains($0) }
    }

    /// The file name the relay gives recording `id` (also stored in the catalogue's `file`).
    static func fileName(for id: String) -> String { id + ".mp4" }

    /// The media file's path for a recording the relay made, in the directory as resolved now
    /// (symbolic links in the directory's own path are the operator's); nil for any other id.
    func mediaPath(for id: String) -> String? {
        guard Self.isRecordingID(id) else { return nil }
        let base = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return base + "/" + Self.fileName(for: id)
    }

    /// `mediaPath(for:)` when that path and its index are regular files or absent; nil when the
    /// id is not one the relay makes or either name is something else (a link, a directory).
    func safePath(for id: String) -> String? {
        guard let media = mediaPath(for: id) else { return nil }
        for file in [media, RecordingFiles.indexPath(media)] where !Self.isRegularOrAbsent(file) { return nil }
        return media
    }

    /// `mediaPath(for:)` when the file is there as a regular file: what may be served.
    func existingFile(for id: String) -> String? {
        guard let media = safePath(for: id), Self.isRegularFile(media) else { return nil }
        return media
    }

    static func isRegularFile(_ file: String) -> Bool {
        var info = stat()
        return lstat(file, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func isRegularOrAbsent(_ file: String) -> Bool {
        var info = stat()
        if lstat(file, &info) != 0 { return errno == ENOENT }
        return (info.st_mode & S_IFMT) == S_IFREG
    }
}
