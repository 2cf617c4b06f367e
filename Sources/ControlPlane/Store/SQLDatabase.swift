/// The little SQL the store needs, over SQLite or PostgreSQL. Statements use `?` placeholders.
public protocol SQLDatabase: Sendable {
    /// Runs one statement and returns its rows (column name → value).
    func execute(_ sql: String, _ binds: [SQLValue]) async throws(StoreError) -> [SQLRow]
    /// Runs `body` as one transaction on one connection (BEGIN … COMMIT; ROLLBACK when it throws),
    /// serialised with every other transaction of every process using the database (SQLite: the
    /// one writer; PostgreSQL: a transaction-scoped advisory lock), so a check and the write that
    /// follows it cannot be interleaved by another node. Inside `body`, statements go to the
    /// database it is given; a transaction inside one simply joins it.
    func withTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func close() async
}

public enum SQLValue: Sendable, Equatable {
    case text(String)
    case int(Int64)
    case null

    public var string: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    public var int: Int64? {
        switch self {
        case .int(let i): return i
        case .text(let s): return Int64(s)
        case .null: return nil
        }
    }

    init(_ s: String?) { self = s.map { .text($0) } ?? .null }
    init(_ i: Int?) { self = i.map { .int(Int64($0)) } ?? .null }
}

public typealias SQLRow = [String: SQLValue]

/// Why the store could not do what was asked.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A uniqueness rule (primary key, unique index) was violated.
    case duplicate(String)
    /// The database cannot be written (disk full, read-only, gone).
    case unavailable(String)
    case failed(String)

    public var description: String {
        switch self {
        case .duplicate(let s): return "duplicate: \(s)"
        case .unavailable(let s): return "database unavailable: \(s)"
        case .failed(let s): return "database error: \(s)"
        }
    }
}
