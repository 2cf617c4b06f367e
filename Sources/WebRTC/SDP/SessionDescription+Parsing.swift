public import NIOCore

extension SessionDescription {
    /// Parses an SDP body. Lines may end in CRLF or LF; blank lines and unknown line types or
    /// attributes are accepted (unknown attributes are kept in `attributes`). Throws for a body
    /// over `SDPLimits` (64 KiB, 1000 lines, 16 m-lines), one that does not start with `v=0`, a
    /// line that is not `<letter>=<value>` or holds control characters, or a malformed value of
    /// an attribute the parser understands (`a=rtpmap`, `a=fingerprint`, `a=extmap`, …).
    static func parse(_ sdp: String) throws(SDPError) -> SessionDescription {
        let count = sdp.utf8.count
        guard count <= SDPLimits.maxBytes else { throw .tooLarge(bytes: count) }
        var bytes = Array(sdp.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // a byte order mark
        return try SDPParser.parse(utf8: bytes)
    }

    /// Parses an SDP body from an HTTP request body; it must be UTF-8 (RFC 8866 allows other
    /// charsets, browsers never use them).
    public static func parse(_ body: ByteBuffer) throws(SDPError) -> SessionDescription {
        guard body.readableBytes <= SDPLimits.maxBytes else { throw .tooLarge(bytes: body.readableBytes) }
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else { throw .notUTF8 }
        return try parse(text)
    }
}
