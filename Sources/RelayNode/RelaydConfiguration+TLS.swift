import ControlPlane
import Foundation
import HTTPSurface
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL
import RTMP

/// Optional TLS: one certificate and key (`tls.certFile`, `tls.keyFile`, PEM) for the REST API
/// (`http.tls: true`) and for RTMPS (`rtmps.port`). Without them everything is plain, as before.
extension RelaydConfiguration {
    package struct TLS: Sendable, Equatable {
        package var certFile: String?
        package var keyFile: String?
        /// Serve the REST API (and /healthz, /metrics) over HTTPS on `http.port`.
        package var http = false
        /// RTMPS (RTMP over TLS) listener port; nil: no RTMPS listener.
        package var rtmpsPort: Int?

        var isUsed: Bool { http || rtmpsPort != nil }
    }

    /// The server TLS configuration, or nil when TLS is not used; a missing or unreadable
    /// certificate or key is a configuration error naming the key.
    func serverTLSConfiguration() throws(ConfigurationError) -> TLSConfiguration? {
        guard tls.isUsed else { return nil }
        guard let certFile = tls.certFile else {
            throw ConfigurationError(key: "tls.certFile", problem: "is required when http.tls or rtmps.port is set")
        }
        guard let keyFile = tls.keyFile else {
            throw ConfigurationError(key: "tls.keyFile", problem: "is required when http.tls or rtmps.port is set")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certFile)
        } catch {
            throw ConfigurationError(key: "tls.certFile", problem: "cannot read a PEM certificate from \(certFile)")
        }
        guard !chain.isEmpty else { throw ConfigurationError(key: "tls.certFile", problem: "no certificate in \(certFile)") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ConfigurationError(key: "tls.keyFile", problem: "cannot read a PEM private key from \(keyFile)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }

    /// HTTP/1.1 (with TLS when `http.tls`), each connection admitted by `limiter` first and held
    /// to the header and idle deadlines (`http.headerTimeoutSeconds`, `http.idleTimeoutSeconds`).
    func httpServerBuilder(_ tlsConfiguration: TLSConfiguration?, limiter: ConnectionLimiter) throws -> HTTPServerBuilder {
        let head = TimeAmount.seconds(Int64(httpHeaderTimeoutSeconds))
        let idle = TimeAmount.seconds(Int64(httpIdleTimeoutSeconds))
        // Hummingbird's own idle timeout as well: it also ends a request whose body stops coming.
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [HTTPRequestPartObserver()], idleTimeout: idle)
        guard tls.http, let tlsConfiguration else {
            return HTTPServerBuilder { responder in
                LimitedHTTPChannel(
                    base: HTTP1Channel(responder: responder, configuration: http1), limiter: limiter, headTimeout: head, idleTimeout: idle
                )
            }
        }
        return HTTPServerBuilder { responder in
            LimitedHTTPChannel(
                base: try TLSChannel(HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: tlsConfiguration),
                limiter: limiter, headTimeout: head, idleTimeout: idle
            )
        }
    }
}
