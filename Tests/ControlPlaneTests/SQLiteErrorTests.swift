import Foundation
import Testing

@testable import ControlPlane

/// SQLite failures are classified by result code (the connection reports extended codes), not
/// by reading the message: a duplicate is a conflict, a read-only file is unavailable, other
/// constraints are plain failures.
@Suite struct SQLiteErrorTests {
    @Test func failuresAreClassifiedByTheirResultCode() async throws {
        let dir = NSTemporaryDirectory() + "sqlite-errors-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await SQLiteDatabase.open(path: dir + "/t.db", logger: .init(label: "t"))
        _ = try await db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0))", [])
        _ = try await db.execute("INSERT INTO t VALUES (?, ?, ?)", [.text("a"), .text("x"), .int(1)])

        func failure(_ binds: [SQLValue]) async -> StoreError? {
            do {
                _ = try await db.execute("INSERT INTO t VALUES (?, ?, ?)", binds)
                return nil
            } catch {
                return error
            }
        }
        guard case .duplicate(let primary) = await failure([.text("a"), .text("y"), .int(1)]) else {
            Issue.record("a repeated primary key is a duplicate")
            return
        }
        #expect(primary.contains("t.id"), "the message is kept for the log: \(primary)")
        guard case .duplicate = await failure([.text("b"), .text("x"), .int(1)]) else {
            Issue.record("a repeated unique column is a duplicate")
            return
        }
        guard case .failed = await failure([.text("c"), .null, .int(1)]) else {
            Issue.record("NOT NULL is a failure, not a duplicate")
            return
        }
        guard case .failed = await failure([.text("d"), .text("z"), .int(0)]) else {
            Issue.record("CHECK is a failure, not a duplicate")
            return
        }
        guard case .failed = await failure([.text("e")]) else {
            Issue.record("a statement with the wrong binds is a failure")
            return
        }
        await db.close()

        #expect(SQLiteFailure(.full) == .unavailable)
        #expect(SQLiteFailure(.readOnly) == .unavailable)
        #expect(SQLiteFailure(.ioErrorFailedWrite) == .unavailable)
        #expect(SQLiteFailure(.constraintUniqueFailed) == .duplicate)
        #expect(SQLiteFailure(.constraintForeignKeyFailed) == .other)
    }
}
