import ControlPlane
import Foundation

/// One `Range: bytes=…` of a file of `size` bytes (RFC 9110 14.1.2): `a-b`, `a-` or the last
/// `-n`. Several ranges are answered with the first (a single part, as players ask).
enum ByteRange: Equatable {
    /// No usable Range header: the whole file, 200.
    case whole
    /// 206 with these bytes.
    case part(ClosedRange<Int>)
    /// 416: the range starts past the end.
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header, header.hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let first = header.dropFirst(6).split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let bounds = first.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard bounds.count == 2 else {
            self = .whole
            return
        }
        if bounds[0].isEmpty {
            guard let suffix = Int(bounds[1]), suffix > 0 else {
                self = bounds[1].isEmpty ? .whole : .unsatisfiable
                return
            }
            self = size == 0 ? .unsatisfiable : .part(max(size - suffix, 0)...(size - 1))
            return
        }
        guard let start = Int(bounds[0]), start >= 0 else {
            self = .whole
            return
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        if bounds[1].isEmpty {
            self = .part(start...(size - 1))
            return
        }
        guard let end = Int(bounds[1]), end >= start else {
            self = .whole
            return
        }
        self = .part(start...min(end, size - 1))
    }
}
