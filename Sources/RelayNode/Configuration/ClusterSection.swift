import Cluster

/// `cluster:`: this node among the relays sharing the database, and the services above it.
struct ClusterSection: Decodable {
    var nodeId, advertiseHost, tlsCAFile: String?
    var upstream: [PullOrigin]?
    var tls: Bool?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["nodeId", "advertiseHost", "upstream", "tls", "tlsCAFile"])
        tls = try s.bool("tls")
        tlsCAFile = try s.string("tlsCAFile")
        let urls = try s.strings("upstream", notAList: "must be a list of rtmp://host[:port]/app[?key=K] URLs")
        upstream = try urls?.enumerated().map { index, url throws(ConfigurationError) in
            // The URL may carry a key: say what is wrong without repeating it.
            guard let origin = PullOrigin(url) else {
                throw ConfigurationError(key: "cluster.upstream[\(index)]", problem: "must be rtmp://host[:port]/app[?key=K]")
            }
            return origin
        }
        nodeId = try s.string("nodeId")
        if let id = nodeId,
            id.isEmpty || id.count > 64 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        {
            throw ConfigurationError(key: "cluster.nodeId", problem: "must be 1 to 64 letters, digits, dots or dashes, got '\(id.prefix(80))'")
        }
        advertiseHost = try s.string("advertiseHost")
        if let host = advertiseHost, host.isEmpty || host.contains(where: { $0 == " " || $0 == "/" }) {
            throw ConfigurationError(key: "cluster.advertiseHost", problem: "must be a host name or address, got '\(host.prefix(80))'")
        }
    }

    func apply(to config: inout RelaydConfiguration) {
        if let tls { config.clusterTLS.enabled = tls }
        if let tlsCAFile { config.clusterTLS.caFile = tlsCAFile }
        if let upstream { config.clusterUpstreams = upstream }
        if let nodeId { config.clusterNodeID = nodeId }
        if let advertiseHost { config.clusterAdvertiseHost = advertiseHost }
    }
}
