package import Foundation

/// Field-level checks shared by the API's inputs.
package enum Validation {
    /// IDs travel in stream URLs (`live/<classId>_<rendition>`): letters, digits and dashes only.
    package static func checkID(_ id: String, field: String = "id") throws(ControlPlaneError) {
        let ok =
            !id.isEmpty && id.count <= 64 && id.first!.isASCII && (id.first!.isLetter || id.first!.isNumber)
            && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        guard ok else {
            throw .badRequest("\(field) must be 1 to 64 letters, digits or dashes, starting with a letter or digit")
        }
    }

    static func checkText(_ text: String, field: String, max: Int = 200) throws(ControlPlaneError) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .badRequest("\(field) must not be empty") }
        guard text.count <= max else { throw .badRequest("\(field) must be at most \(max) characters") }
    }

    package static func newID(prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return prefix + "-" + String((0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    /// Parses an RFC 3339 time with any offset (and optional fractional seconds).
    package static func parseTime(_ text: String, field: String) throws(ControlPlaneError) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw .badRequest("\(field) must be an RFC 3339 time such as 2026-09-01T08:00:00+08:00, got '\(text)'")
    }

    package static func formatTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
