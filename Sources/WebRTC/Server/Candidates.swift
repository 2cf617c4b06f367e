import NIOCore
import NIOPosix

extension WebRTCServer {
    /// The host candidates an answer carries: `webrtc.publicAddresses`, else the bound address,
    /// else (bound to every address) each IPv4 address of the host's interfaces, loopback last.
    /// With ICE-TCP, each address also gets a passive TCP candidate, ranked below every UDP one.
    static func candidates(configuration: WebRTCConfiguration, port: Int, tcpPort: Int?) -> [ICECandidate] {
        var addresses = configuration.publicAddresses
        if addresses.isEmpty {
            if configuration.host != "0.0.0.0", configuration.host != "::" {
                addresses = [configuration.host]
            } else {
                let devices = (try? System.enumerateDevices()) ?? []
                let ipv4 = devices.compactMap { device -> String? in
                    guard let address = device.address, address.protocol == .inet else { return nil }
                    return address.ipAddress
                }
                addresses = ipv4.filter { !$0.hasPrefix("127.") } + ipv4.filter { $0.hasPrefix("127.") }
                if addresses.isEmpty { addresses = ["127.0.0.1"] }
            }
        }
        var seen = Set<String>()
        let unique = addresses.filter { seen.insert($0).inserted }
        let udp = unique.enumerated().map { index, address in
            ICECandidate(
                foundation: "\(index + 1)", transport: .udp, priority: ICECandidate.priority(localPreference: UInt16(65535 - index)),
                address: address, port: UInt16(port)
            )
        }
        guard let tcpPort else { return udp }
        let tcp = unique.enumerated().map { index, address in
            ICECandidate(
                foundation: "\(unique.count + index + 1)", transport: .tcpPassive,
                priority: ICECandidate.priority(typePreference: 90, localPreference: UInt16(32767 - index)), address: address,
                port: UInt16(tcpPort)
            )
        }
        return udp + tcp
    }
}
