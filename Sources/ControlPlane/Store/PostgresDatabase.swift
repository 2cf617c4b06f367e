import Foundation
import Logging
public import PostgresNIO

/// PostgreSQL through postgres-nio's client (a connection pool). The client's `run()` must be
/// running (relayd puts it in its ServiceGroup) while queries are made.
public final class PostgresDatabase: SQLDatabase {
    public let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Parses `postgres://user:password@host:port/database`.
    public static func configuration(url: String) throws(StoreError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let host = components.host,
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw .failed("not a postgres:// URL")
        }
        let database = String(components.path.drop { $0 == "/" })
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable
        )
        configuration.options.minimumConnections = 1
        configuration.options.maximumConnections = 8
        return configuration
    }

    /// Every transaction takes this advisory lock first, so the check-then-write of one node
    /// never interleaves with another's.
    static let transactionLock: Int64 = 0x7265_6C61_7964  // "relayd"

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
        let query = Self.query(sql, binds)
        return try await Self.rows { try await client.query(query, logger: logger) }
    }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await client.withConnection { connection in
            let transaction = Transaction(connection: connection, logger: logger)
            _ = try await transaction.execute("BEGIN", [])
            do {
                _ = try await transaction.execute("SELECT pg_advisory_xact_lock(\(Self.transactionLock))", [])
                let result = try await body(transaction)
                _ = try await transaction.execute("COMMIT", [])
                return result
            } catch {
                _ = try? await transaction.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    /// The statements of a transaction, on its one connection.
    private struct Transaction: SQLDatabase, @unchecked Sendable {
        let connection: PostgresConnection
        let logger: Logger
        func execute(_ sql: String, _ binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
            let query = PostgresDatabase.query(sql, binds)
            return try await PostgresDatabase.rows { try await connection.query(query, logger: logger) }
        }
        func withTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
            try await body(self)
        }
        func close() async {}
    }

    /// `?` placeholders numbered as PostgreSQL wants them (`$1`, `$2`, …), with their values.
    static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var numbered = ""
        var n = 0
        for ch in sql {
            if ch == "?" {
                n += 1
                numbered += "$\(n)"
            } else {
                numbered.append(ch)
            }
        }
        var bindings = PostgresBindings()
        for value in binds {
            switch value {
            case .text(let s): bindings.append(s)
            case .int(let i): bindings.append(i)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: bindings)
    }

    /// Runs a query and reads its rows; PostgreSQL's errors classified by SQLSTATE.
    static func rows(_ run: () async throws -> PostgresRowSequence) async throws(StoreError) -> [SQLRow] {
        do {
            let rows = try await run()
            var result: [SQLRow] = []
            for try await row in rows {
                var out: SQLRow = [:]
                for cell in row {
                    if cell.bytes == nil {
                        out[cell.columnName] = .null
                    } else if cell.dataType == .int8 || cell.dataType == .int4 || cell.dataType == .int2 {
                        out[cell.columnName] = .int(try cell.decode(Int64.self))
                    } else if cell.dataType == .void {
                        out[cell.columnName] = .null
                    } else {
                        out[cell.columnName] = .text(try cell.decode(String.self))
                    }
                }
                result.append(out)
            }
            return result
        } catch let error as PSQLError {
            let code = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            if code == "23505" { throw .duplicate(message) }
            if code.hasPrefix("53") || code == "25006" || error.serverInfo == nil { throw .unavailable(message) }
            throw .failed(message)
        } catch {
            throw .failed("\(error)")
        }
    }

    public func close() async {}
}
