import ControlPlane
import Foundation
import Logging
import PostgresNIO
import ProcessTestSupport
import Testing

/// Which database a test runs against: the same tests run on both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A fresh store of `kind`; `body` runs with it, then everything is torn down.
/// PostgreSQL tests skip (with a message) only where a server cannot start here.
func withStore(_ kind: StoreKind, _ body: (ControlPlaneService) async throws -> Void) async throws {
    let logger = Logger(label: "test")
    switch kind {
    case .sqlite:
        let dir = NSTemporaryDirectory() + "cp-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await SQLiteDatabase.open(path: dir + "/relay.db", logger: logger)
        let store = ControlStore(database: db)
        try await store.migrate()
        try await body(ControlPlaneService(store: store, logger: logger))
        await db.close()
    case .postgres:
        let (server, why) = PostgresServer.start()
        guard let server else {
            // CI runs as root with PostgreSQL installed: a server that cannot start is a failure.
            Issue.record("the PostgreSQL run could not start a server: \(why)")
            return
        }
        defer { server.stop() }
        let client = PostgresClient(configuration: try PostgresDatabase.configuration(url: server.url), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            let store = ControlStore(database: PostgresDatabase(client: client, logger: logger))
            try await store.migrate()
            try await body(ControlPlaneService(store: store, logger: logger))
            group.cancelAll()
        }
    }
}

/// Two control planes as two nodes would have them: one PostgreSQL server, a connection pool and
/// a service each, migrated at the same moment.
func withTwoNodes(_ body: (ControlPlaneService, ControlPlaneService) async throws -> Void) async throws {
    let logger = Logger(label: "test")
    let (server, why) = PostgresServer.start()
    guard let server else {
        Issue.record("the two-node run could not start a PostgreSQL server: \(why)")
        return
    }
    defer { server.stop() }
    let clients = try (0..<2).map { _ in
        PostgresClient(configuration: try PostgresDatabase.configuration(url: server.url), backgroundLogger: logger)
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        for client in clients { group.addTask { await client.run() } }
        let stores = clients.map { ControlStore(database: PostgresDatabase(client: $0, logger: logger)) }
        async let migratedA: Void = stores[0].migrate()
        async let migratedB: Void = stores[1].migrate()
        _ = try await (migratedA, migratedB)
        try await body(ControlPlaneService(store: stores[0], logger: logger), ControlPlaneService(store: stores[1], logger: logger))
        group.cancelAll()
    }
}
