import NIOCore

/// `cluster.tls: true`: a node pulls from the other nodes over RTMPS, from the `rtmps` port their
/// heartbeat lists (a node without one is not pulled from; never plain RTMP instead). The other
/// node's certificate must chain to a certificate in `cluster.tlsCAFile` (PEM; default
/// `tls.certFile`, for nodes that share one certificate or its CA) and name the host the node
/// advertises (`cluster.advertiseHost`: a DNS name, or an IP address in the certificate's
/// subjectAltName).
package struct ClusterTLS: Sendable, Equatable {
    package var enabled = false
    package var caFile: String?

    package init(enabled: Bool = false, caFile: String? = nil) {
        self.enabled = enabled
        self.caFile = caFile
    }

    /// The host name to send as SNI and check the certificate against; nil for an IP address
    /// (NIOSSL then checks the certificate's IP addresses against the peer's).
    package static func serverHostname(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
