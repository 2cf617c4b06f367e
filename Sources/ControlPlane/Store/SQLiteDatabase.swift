public import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// The embedded default: one SQLite file in WAL mode, written through one connection.
public final class SQLiteDatabase: SQLDatabase {
    private let connection: SQLiteConnection
    /// One statement or one transaction at a time on the connection.
    private let turn = AsyncMutex()

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    public static func open(path: String, logger: Logger) async throws(StoreError) -> SQLiteDatabase {
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let db = SQLiteDatabase(connection: connection)
            _ = try await db.execute("PRAGMA journal_mode=WAL", [])
            _ = try await db.execute("PRAGMA synchronous=FULL", [])
            _ = try await db.execute("PRAGMA foreign_keys=ON", [])
            _ = try await db.execute("PRAGMA busy_timeout=5000", [])
            return db
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("cannot open SQLite database \(path): \(error)")
        }
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
        try await turn.withLock { () throws(StoreError) in try await run(sql, binds) }
    }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await turn.withLock { () async throws -> T in
            _ = try await run("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(Transaction(database: self))
                _ = try await run("COMMIT", [])
                return result
            } catch {
                _ = try? await run("ROLLBACK", [])
                throw error
            }
        }
    }

    /// The statements of a transaction: the connection, already held.
    private struct Transaction: SQLDatabase {
        let database: SQLiteDatabase
        func execute(_ sql: String, _ binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
            try await database.run(sql, binds)
        }
        func withTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
            try await body(self)
        }
        func close() async {}
    }

    private func run(_ sql: String, _ binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
        let data: [SQLiteData] = binds.map {
            switch $0 {
            case .text(let s): return .text(s)
            case .int(let i): return .integer(Int(i))
            case .null: return .null
            }
        }
        do {
            let rows = try await connection.query(sql, data)
            return rows.map { row in
                var out: SQLRow = [:]
                for column in row.columns {
                    switch column.data {
                    case .integer(let i): out[column.name] = .int(Int64(i))
                    case .text(let s): out[column.name] = .text(s)
                    case .float(let d): out[column.name] = .int(Int64(d))
                    case .blob, .null: out[column.name] = .null
                    }
                }
                return out
            }
        } catch let error as SQLiteError {
            throw StoreError.classify(error)
        } catch {
            throw .failed("\(error)")
        }
    }

    public func close() async {
        try? await connection.close()
    }
}
