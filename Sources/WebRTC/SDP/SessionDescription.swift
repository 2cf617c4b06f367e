/// A parsed SDP body (RFC 8866) with the attributes WebRTC uses (RFC 8829, JSEP). Lines the
/// parser does not know are accepted and kept in `attributes`; see `parse(_:)`.
public struct SessionDescription: Hashable, Sendable {
    /// The `o=` line's value, as written.
    var origin: String?
    /// The `s=` line's value.
    var sessionName: String?

    /// Session-level transport attributes only; each m-line's `transport` already includes them.
    var transport = TransportAttributes()
    /// `a=ice-lite` at session level.
    var iceLite = false
    /// Session-level direction, if written; each m-line's `direction` already includes it.
    var direction: MediaDirection?
    var groups: [SDPGroup] = []
    /// Session-level `a=extmap` (rare); each m-line keeps its own in `extensionMaps`.
    var extensionMaps: [ExtensionMap] = []
    /// `a=extmap-allow-mixed` at session level.
    var extmapAllowMixed = false
    /// Every session-level `a=` line, understood or not, in order.
    var attributes: [SDPAttribute] = []

    var media: [MediaDescription] = []

    /// The first `a=group:BUNDLE`, if any.
    var bundleGroup: SDPGroup? { groups.first { $0.isBundle } }

    /// The m-line whose `a=mid` is `mid`.
    func media(mid: String) -> MediaDescription? { media.first { $0.mid == mid } }
}
