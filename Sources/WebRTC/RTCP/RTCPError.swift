/// Why an RTCP compound packet could not be parsed.
public enum RTCPError: Error, Equatable, Sendable {
    /// No bytes at all.
    case empty
    /// Fewer bytes than a header, or a length field that runs past the end of the datagram.
    case truncated
    /// The version field is not 2.
    case unsupportedVersion(UInt8)
    /// The padding count is zero or larger than the packet's body.
    case invalidPadding
    /// The report, source or item count is larger than the body holds.
    case countExceedsLength(packetType: UInt8)
    /// The body does not have the layout of its packet type (a feedback body too short for
    /// its SSRCs, FCI not a whole number of entries, an SDES item past its chunk).
    case malformed(packetType: UInt8)
}
