import Foundation

/// The nodes' heartbeat rows.
extension ControlStore {
    /// Writes this node's row (one statement, so concurrent nodes never interleave).
    public func saveNode(_ node: RelayNode) async throws(StoreError) {
        let ports = node.ports.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        _ = try await database.execute(
            """
            INSERT INTO nodes (id, advertise_host, last_seen, streams, ports) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET advertise_host = excluded.advertise_host, last_seen = excluded.last_seen,
                streams = excluded.streams, ports = excluded.ports
            """,
            [.text(node.id), .text(node.advertiseHost), .int(Self.millis(node.lastSeen)), .text(node.streams.joined(separator: ",")), .text(ports)]
        )
    }

    public func nodes() async throws(StoreError) -> [RelayNode] {
        try await database.execute("SELECT * FROM nodes ORDER BY id", []).compactMap { row in
            guard let id = row["id"]?.string, let host = row["advertise_host"]?.string, let seen = row["last_seen"]?.int,
                let streams = row["streams"]?.string, let ports = row["ports"]?.string
            else { return nil }
            var portMap: [String: Int] = [:]
            for pair in ports.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, let port = Int(parts[1]) { portMap[String(parts[0])] = port }
            }
            return RelayNode(
                id: id, advertiseHost: host, lastSeen: Date(timeIntervalSince1970: Double(seen) / 1000),
                streams: streams.split(separator: ",").map(String.init), ports: portMap
            )
        }
    }
}
