/// Helpers for quoting hostile SDP text inside error messages and for keeping our own values
/// on one line when writing an answer.
enum SDPText {
    /// At most `limit` characters of `text`, control characters replaced by `?`, quoted; a
    /// longer text ends in `…`. Safe to log or return in an HTTP error body.
    static func excerpt(_ text: some StringProtocol, limit: Int = 40) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out.append("…")
                break
            }
            out.unicodeScalars.append(isControl(scalar) ? "?" : scalar)
            count += 1
        }
        return "'\(out)'"
    }

    /// `text` without control characters (CR, LF, NUL, …), so a value we write cannot start a
    /// new SDP line.
    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.unicodeScalars.append(contentsOf: text.unicodeScalars.filter { !isControl($0) })
        return out
    }

    /// C0 controls but tab, and DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar.value != 0x09) || scalar.value == 0x7F
    }

    /// A space or a tab.
    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    // The helpers below walk the UTF-8 view: separators are ASCII, so every index they cut at
    // is a scalar boundary, and the byte walk is much cheaper than Character iteration.

    /// Splits on spaces and tabs, dropping empty pieces.
    static func fields(_ text: String) -> [Substring] { fields(text[...]) }

    static func fields(_ sub: Substring) -> [Substring] {
        let utf8 = sub.utf8
        var pieces: [Substring] = []
        var pieceStart: Substring.Index?
        var index = utf8.startIndex
        while index < utf8.endIndex {
            if isBlank(utf8[index]) {
                if let start = pieceStart { pieces.append(sub[start..<index]) }
                pieceStart = nil
            } else if pieceStart == nil {
                pieceStart = index
            }
            index = utf8.index(after: index)
        }
        if let start = pieceStart { pieces.append(sub[start..<utf8.endIndex]) }
        return pieces
    }

    /// Splits `text` at the first space or tab into a head and the trimmed rest (nil if nothing
    /// follows); leading blanks are dropped.
    static func splitFirstField(_ text: String) -> (head: Substring, rest: Substring?) { splitFirstField(text[...]) }

    static func splitFirstField(_ text: Substring) -> (head: Substring, rest: Substring?) {
        let trimmed = trim(text)
        guard let space = trimmed.utf8.firstIndex(where: isBlank) else { return (trimmed, nil) }
        let rest = trim(trimmed[space...])
        return (trimmed[..<space], rest.isEmpty ? nil : rest)
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trim(_ text: String) -> Substring { trim(text[...]) }

    static func trim(_ sub: Substring) -> Substring {
        let utf8 = sub.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isBlank(utf8[start]) { start = utf8.index(after: start) }
        while start < end {
            let last = utf8.index(before: end)
            guard isBlank(utf8[last]) else { break }
            end = last
        }
        return sub[start..<end]
    }

    /// Splits on one ASCII separator byte, keeping empty pieces.
    static func split(_ text: String, on separator: UInt8) -> [Substring] { split(text[...], on: separator) }

    static func split(_ sub: Substring, on separator: UInt8) -> [Substring] {
        let utf8 = sub.utf8
        var pieces: [Substring] = []
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            if utf8[index] == separator {
                pieces.append(sub[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        pieces.append(sub[start..<utf8.endIndex])
        return pieces
    }

    /// The value of an ASCII hex digit.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Hex digits (no sign, no prefix) as an integer that fits `T`.
    static func hexadecimal<T: FixedWidthInteger>(_ text: Substring, as: T.Type = T.self) -> T? {
        guard !text.isEmpty, text.utf8.count * 4 <= T.bitWidth else { return nil }
        var value: T = 0
        for byte in text.utf8 {
            guard let digit = hexValue(byte) else { return nil }
            value = value << 4 | T(digit)
        }
        return value
    }

    /// The index of the first `byte` in `text`, if any.
    static func firstIndex(of byte: UInt8, in text: Substring) -> Substring.Index? {
        text.utf8.firstIndex(of: byte)
    }

    /// A decimal number with only ASCII digits (no sign, no spaces) that fits `T`.
    static func decimal<T: FixedWidthInteger>(_ text: String, as type: T.Type = T.self) -> T? {
        decimal(text[...], as: type)
    }

    static func decimal<T: FixedWidthInteger>(_ text: Substring, as: T.Type = T.self) -> T? {
        guard !text.isEmpty else { return nil }
        var value: T = 0
        for byte in text.utf8 {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(T(byte &- 0x30))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }
}
