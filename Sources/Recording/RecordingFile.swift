import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a recording's file could not be written.
public struct RecordingFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let errno: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    /// The file system is full (or over quota).
    public var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT }
}

/// A file a recorder appends to: one descriptor, opened exclusively (a recording never
/// overwrites another), written whole or not at all as far as the caller is told, synced to disk
/// on ``sync()``, closed in `deinit`. One owner (the recorder's writer thread).
final class RecordingFile {
    let path: String
    private let descriptor: Int32
    private(set) var length: Int64 = 0

    init(creating path: String) throws(RecordingFileError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RecordingFileError(path: path, operation: "create", errno: errno) }
        descriptor = fd
    }

    func append(_ bytes: [UInt8]) throws(RecordingFileError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress!.advanced(by: written), raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let failure = RecordingFileError(path: path, operation: "write", errno: errno)
                // What part of `bytes` got out is cut off again (a full disk takes part of a
                // fragment): the file keeps ending where its last whole write did, so it plays.
                _ = ftruncate(descriptor, off_t(length))
                _ = lseek(descriptor, off_t(length), SEEK_SET)
                throw failure
            }
            written += result
        }
        length += Int64(bytes.count)
    }

    func append(_ text: String) throws(RecordingFileError) { try append(Array(text.utf8)) }

    /// The data written so far is on the disk (a power loss keeps it).
    func sync() throws(RecordingFileError) {
        guard fdatasync(descriptor) == 0 else { throw RecordingFileError(path: path, operation: "fdatasync", errno: errno) }
    }

    deinit { close(descriptor) }
}
