import Logging
import Metrics
public import PostgresNIO

/// ``ChangeFeed`` over PostgreSQL: `NOTIFY relayd, '<change>'` out, `LISTEN relayd` in, on one
/// pooled connection held for as long as something listens; a lost connection is listened on
/// again a second later, with a `.resync` so the consumer catches up on what it missed.
public struct PostgresChangeFeed: ChangeFeed {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func announce(_ change: ClusterChange) async {
        do {
            let query: PostgresQuery = "SELECT pg_notify(\(ClusterChange.channel), \(change.payload))"
            _ = try await client.query(query, logger: logger)
            Counter(label: "relay_cluster_notifications_sent_total").increment()
        } catch {
            // The others still see it at their next poll.
            logger.warning("cannot announce a change", metadata: ["change": "\(change.payload)", "error": "\(String(reflecting: error))"])
        }
    }

    public func changes() -> AsyncStream<ClusterChange> {
        let client = self.client
        let logger = self.logger
        return AsyncStream { continuation in
            let task = Task {
                let received = Counter(label: "relay_cluster_notifications_received_total")
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: ClusterChange.channel) { notifications in
                                logger.info("listening for cluster changes", metadata: ["channel": "\(ClusterChange.channel)"])
                                continuation.yield(.resync)
                                for try await notification in notifications {
                                    received.increment()
                                    if let change = ClusterChange(payload: notification.payload) { continuation.yield(change) }
                                }
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("listening for cluster changes failed; again in 1 s", metadata: ["error": "\(String(reflecting: error))"])
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
