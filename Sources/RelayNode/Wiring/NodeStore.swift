import ControlPlane
import Foundation
import Logging

/// The store (SQLite under the data dir, or PostgreSQL), migrated, and the control plane over it
/// with its timetable snapshot read.
struct NodeStore {
    let opened: StoreFactory.Opened
    /// PostgreSQL's client loop, when the store is PostgreSQL (cancelled when the node ends).
    let postgresTask: Task<Void, Never>?
    let controlPlane: ControlPlaneService

    static func open(_ configuration: RelaydConfiguration) async throws -> NodeStore {
        let opened: StoreFactory.Opened
        do {
            opened = try await StoreFactory.open(url: configuration.databaseURL, logger: Logger(label: "relay.store"))
        } catch {
            throw RelaydError("\(error)")
        }
        let postgresTask = opened.postgres.map { client in Task { await client.run() } }
        do {
            try await opened.store.migrate()
        } catch {
            postgresTask?.cancel()
            throw RelaydError("cannot prepare the database: \(error)")
        }
        let controlPlane = ControlPlaneService(
            store: opened.store, timeZone: TimeZone(identifier: configuration.timeZone)!, changes: opened.changes,
            logger: Logger(label: "relay.api")
        )
        do {
            // Access decisions read this snapshot, never the database (kept fresh by every change
            // and by TimetableSnapshotService).
            try await controlPlane.reloadSnapshot()
        } catch {
            postgresTask?.cancel()
            throw RelaydError("cannot read the timetable: \(error)")
        }
        return NodeStore(opened: opened, postgresTask: postgresTask, controlPlane: controlPlane)
    }
}
