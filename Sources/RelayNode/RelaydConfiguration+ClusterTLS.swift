import Cluster
import NIOSSL

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
