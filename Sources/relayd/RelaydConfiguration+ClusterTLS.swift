import NIOCore
import NIOSSL

/// `cluster.tls: true`: a node pulls from the other nodes over RTMPS, from the `rtmps` port their
/// heartbeat lists (a node without one is not pulled from; never plain RTMP instead). The other
/// node's certificate must chain to a certificate in `cluster.tlsCAFile` (PEM; default
/// `tls.certFile`, for nodes that share one certificate or its CA) and name the host the node
/// advertises (`cluster.advertiseHost`: a DNS name, or an IP address in the certificate's
/// subjectAltName).
struct ClusterTLS: Sendable, Equatable {
    var enabled = false
    var caFile: String?

    /// The host name to send as SNI and check the certificate against; nil for an IP address
    /// (NIOSSL then checks the certificate's IP addresses against the peer's).
    static func serverHostname(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}

extension RelaydConfiguration {
    /// The client context for pulls between nodes, or nil without `cluster.tls`; a missing or
    /// unreadable trust file is a configuration error naming the key.
    func clusterTLSContext() throws(ConfigurationError) -> NIOSSLContext? {
        guard clusterTLS.enabled else { return nil }
        let key = clusterTLS.caFile == nil ? "tls.certFile" : "cluster.tlsCAFile"
        guard let file = clusterTLS.caFile ?? tls.certFile else {
            throw ConfigurationError(key: "cluster.tlsCAFile", problem: "is required when cluster.tls is set (or tls.certFile)")
        }
        let roots: [NIOSSLCertificate]
        do {
            roots = try NIOSSLCertificate.fromPEMFile(file)
        } catch {
            throw ConfigurationError(key: key, problem: "cannot read a PEM certificate from \(file)")
        }
        guard !roots.isEmpty else { throw ConfigurationError(key: key, problem: "no certificate in \(file)") }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(roots)
        configuration.certificateVerification = .fullVerification
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(key: key, problem: "cannot make a TLS client context: \(error)")
        }
    }
}
