import ControlPlane
import Foundation

/// Where a node pulls a lesson from over RTMP: another node of its cluster (its advertised host
/// and RTMP or RTMPS port, a ``NodePullCredential`` as the key), or a higher-level service
/// (`cluster.upstream`: a county relay pulling a city's famous-school lesson, with a site key of
/// that service's own timetable, so its access rules decide). The key is never logged.
package struct PullOrigin: Sendable, Equatable, CustomStringConvertible {
    let host: String
    let port: Int
    let app: String
    let key: String?

    init(host: String, port: Int, app: String, key: String?) {
        self.host = host
        self.port = port
        self.app = app
        self.key = key
    }

    /// `rtmp://host[:port]/app[?key=K]` (a `cluster.upstream` entry); nil if it is not one.
    package init?(_ url: String) {
        guard url.hasPrefix("rtmp://") else { return nil }
        var rest = Substring(url.dropFirst("rtmp://".count))
        var key: String?
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            rest = rest[..<question]
            for pair in query.split(separator: "&") where pair.hasPrefix("key=") {
                key = String(pair.dropFirst(4)).removingPercentEncoding
            }
            guard key?.isEmpty == false else { return nil }
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else { return nil }
        let authority = parts[0]
        if let colon = authority.lastIndex(of: ":") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = 1935
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "@" }) else { return nil }
        app = String(parts[1])
        self.key = key
    }

    /// Where a stream is played from there (the key in the query, as its players do).
    func playURL(_ name: String) -> String {
        let query = key.map { "?key=" + ($0.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? $0) } ?? ""
        return "rtmp://\(host):\(port)/\(app)/\(name)\(query)"
    }

    /// RFC 3986's unreserved characters: what a key may hold unescaped.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// For logs: the address, never the key.
    package var description: String { "rtmp://\(host):\(port)/\(app)" }
}
