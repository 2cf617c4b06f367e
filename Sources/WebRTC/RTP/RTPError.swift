/// Why an RTP packet could not be parsed or a header could not be written.
public enum RTPError: Error, Equatable, Sendable {
    /// Fewer bytes than the fixed header, the CSRC list or the extension block claims.
    case truncated
    /// The version field is not 2.
    case unsupportedVersion(UInt8)
    /// The padding count is zero or larger than what follows the header.
    case invalidPadding
    /// A header extension element runs past the end of its block.
    case invalidExtension
    /// An extension element that neither the one-byte nor the two-byte form can carry
    /// (id 0 or above 255, or more than 255 bytes).
    case unencodableExtension(id: UInt8, length: Int)
    /// More than 15 CSRCs.
    case tooManyCSRCs(Int)
    /// The destination has fewer bytes free than the header needs.
    case bufferTooSmall(needed: Int)
}
