/// Schema migrations, versioned in code; each runs once, in order, recorded in
/// `schema_migrations`. The SQL is the portable subset SQLite and PostgreSQL share.
enum Migrations {
    static let all: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE schools (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, bandwidth_kbps BIGINT,
                    region TEXT, key_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE pairings (
                    id TEXT PRIMARY KEY, central_school_id TEXT NOT NULL REFERENCES schools(id),
                    site_id TEXT NOT NULL REFERENCES schools(id), program TEXT NOT NULL,
                    UNIQUE (central_school_id, site_id, program)
                )
                """,
                """
                CREATE TABLE classes (
                    id TEXT PRIMARY KEY, title TEXT NOT NULL, program TEXT NOT NULL,
                    central_school_id TEXT NOT NULL REFERENCES schools(id), teacher TEXT, subject TEXT,
                    starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, site_ids TEXT NOT NULL,
                    recurrence_days TEXT, recurrence_until TEXT, created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX classes_central ON classes (central_school_id)",
            ]
        ),
        (
            2,
            [
                // Null for classes stored before: the program's default (famous-school lessons are recorded).
                "ALTER TABLE classes ADD COLUMN record BIGINT",
                // A recording keeps its class's title, program and schools: it outlives a deleted class.
                """
                CREATE TABLE recordings (
                    id TEXT PRIMARY KEY, class_id TEXT NOT NULL, title TEXT NOT NULL, program TEXT NOT NULL,
                    central_school_id TEXT NOT NULL, site_ids TEXT NOT NULL, occurrence_starts_at BIGINT NOT NULL,
                    starts_at BIGINT NOT NULL, ends_at BIGINT, duration_ms BIGINT NOT NULL, bytes BIGINT NOT NULL,
                    state TEXT NOT NULL, file TEXT NOT NULL
                )
                """,
                "CREATE INDEX recordings_starts ON recordings (starts_at)",
                "CREATE INDEX recordings_class ON recordings (class_id)",
            ]
        ),
        (
            3,
            [
                // relayd nodes sharing this database: each writes its own row (a heartbeat).
                """
                CREATE TABLE nodes (
                    id TEXT PRIMARY KEY, advertise_host TEXT NOT NULL, last_seen BIGINT NOT NULL, streams TEXT NOT NULL,
                    ports TEXT NOT NULL
                )
                """
            ]
        ),
        (
            4,
            [
                // The reports' facts: each session of a lesson's publisher, a site's return feed or a
                // site's player, written as it happens by the node that served it (rewritten until it ends).
                """
                CREATE TABLE report_sessions (
                    id TEXT PRIMARY KEY, node_id TEXT NOT NULL, kind TEXT NOT NULL, class_id TEXT NOT NULL,
                    occurrence_starts_at BIGINT NOT NULL, site_id TEXT, protocol TEXT NOT NULL, started_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL, ended BIGINT NOT NULL, bytes BIGINT NOT NULL, stalls BIGINT NOT NULL,
                    renditions TEXT NOT NULL
                )
                """,
                "CREATE INDEX report_sessions_occurrence ON report_sessions (occurrence_starts_at)",
                "CREATE INDEX report_sessions_last_seen ON report_sessions (last_seen_at)",
                "CREATE INDEX report_sessions_node_open ON report_sessions (node_id, ended)",
            ]
        ),
        (
            5,
            [
                // The interactive classroom: who is on a class's stage, and the hands raised, for the
                // occurrence they were set in (rows of an ended occurrence are removed when read).
                """
                CREATE TABLE class_stage (
                    class_id TEXT PRIMARY KEY, sites TEXT NOT NULL, layout TEXT NOT NULL, since BIGINT NOT NULL,
                    occurrence_starts_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE class_hands (
                    class_id TEXT NOT NULL, site_id TEXT NOT NULL, since BIGINT NOT NULL, occurrence_starts_at BIGINT NOT NULL,
                    PRIMARY KEY (class_id, site_id)
                )
                """,
            ]
        ),
    ]

    /// All pending migrations in one transaction on one connection (nodes starting together on
    /// one PostgreSQL wait for each other's, then find them applied).
    static func run(on db: any SQLDatabase) async throws(StoreError) {
        do {
            try await db.withTransaction { transaction in
                _ = try await transaction.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)", [])
                let applied = Set(try await transaction.execute("SELECT version FROM schema_migrations", []).compactMap { $0["version"]?.int })
                for migration in all where !applied.contains(Int64(migration.version)) {
                    for statement in migration.statements { _ = try await transaction.execute(statement, []) }
                    _ = try await transaction.execute("INSERT INTO schema_migrations (version) VALUES (?)", [.int(Int64(migration.version))])
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
    }
}
