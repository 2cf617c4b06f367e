public import Logging
public import PostgresNIO

/// Opens the store a database URL names: `sqlite:PATH` (embedded) or `postgres://…`.
public enum StoreFactory {
    public struct Opened: Sendable {
        public let store: ControlStore
        /// The PostgreSQL client, whose `run()` must be part of the service group.
        public let postgres: PostgresClient?
        /// How the nodes sharing the database tell each other of changes (nothing for SQLite).
        public let changes: any ChangeFeed
    }

    public static func open(url: String, logger: Logger) async throws(StoreError) -> Opened {
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            let db = try await SQLiteDatabase.open(path: path, logger: logger)
            return Opened(store: ControlStore(database: db), postgres: nil, changes: NoChangeFeed())
        }
        let client = PostgresClient(configuration: try PostgresDatabase.configuration(url: url), backgroundLogger: logger)
        return Opened(
            store: ControlStore(database: PostgresDatabase(client: client, logger: logger)), postgres: client,
            changes: PostgresChangeFeed(client: client, logger: logger)
        )
    }
}
