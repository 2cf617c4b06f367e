/// One of the relay's own ICE candidates as the answer lists it: always a host candidate, over
/// UDP or passive ICE-TCP (RFC 6544), component 1 (RTP and RTCP are muxed).
struct ICECandidate: Hashable, Sendable {
    enum Transport: Hashable, Sendable {
        case udp
        /// ICE-TCP, the relay accepting connections (`tcp … tcptype passive`).
        case tcpPassive
    }

    var foundation: String
    var component: UInt8 = 1
    var transport: Transport
    var priority: UInt32
    /// An IPv4 or IPv6 address, as text.
    var address: String
    var port: UInt16

    /// The `a=candidate` value: `<foundation> 1 udp <priority> <address> <port> typ host`.
    var attributeValue: String {
        let protocolName = transport == .udp ? "udp" : "tcp"
        var value = "\(foundation) \(component) \(protocolName) \(priority) \(address) \(port) typ host"
        if transport == .tcpPassive { value += " tcptype passive" }
        return value
    }

    /// RFC 8445 5.1.2.1: 2^24 × type preference + 2^8 × local preference + (256 − component).
    /// Host candidates use type preference 126; RFC 6544 4.2 suggests a lower local preference
    /// for TCP than for UDP so browsers try UDP first.
    static func priority(typePreference: UInt8 = 126, localPreference: UInt16, component: UInt8 = 1) -> UInt32 {
        (UInt32(min(typePreference, 126)) << 24) | (UInt32(localPreference) << 8) | (256 - UInt32(max(component, 1)))
    }
}
