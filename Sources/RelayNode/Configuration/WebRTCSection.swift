import NIOCore

/// `webrtc:`: the ICE ports and the addresses offered to viewers.
struct WebRTCSection: Decodable {
    var port: Int?
    /// `.some(nil)`: `tcpPort: off` (or false) turns ICE-TCP off.
    var tcpPort: Int??
    var publicAddresses: [String]?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["port", "tcpPort", "publicAddresses"])
        port = try s.port("port")
        if s.contains("tcpPort") {
            if (try? s.bool("tcpPort")) == false {
                tcpPort = .some(nil)
            } else {
                tcpPort = .some(try s.port("tcpPort"))
            }
        }
        publicAddresses = try s.strings("publicAddresses", notAList: "must be a list of IP addresses")
        for (index, address) in (publicAddresses ?? []).enumerated() where (try? SocketAddress(ipAddress: address, port: 0)) == nil {
            throw ConfigurationError(key: "webrtc.publicAddresses[\(index)]", problem: "'\(address)' is not an IP address")
        }
    }

    func apply(to config: inout RelaydConfiguration) {
        if let port { config.webrtcPort = port }
        if let tcpPort { config.webrtcTCPPort = tcpPort }
        if let publicAddresses { config.webrtcPublicAddresses = publicAddresses }
    }
}

/// `auth:`: who may publish and play, and how long before a lesson its key is good.
struct AuthSection: Decodable {
    var mode: RelaydConfiguration.AuthMode?
    var windowMinutes: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["mode", "windowMinutes"])
        if let raw = try s.string("mode") {
            guard let mode = RelaydConfiguration.AuthMode(rawValue: raw) else {
                throw ConfigurationError(key: "auth.mode", problem: "must be 'timetable' or 'open', got '\(raw)'")
            }
            self.mode = mode
        }
        windowMinutes = try s.int("windowMinutes", in: 0...1440)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let mode { config.authMode = mode }
        if let windowMinutes { config.authWindowMinutes = windowMinutes }
    }
}
