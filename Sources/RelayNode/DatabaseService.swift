import ControlPlane
import ServiceLifecycle

/// The database as a service, first in relayd's group so it stops last: the store is closed
/// and the PostgreSQL client's run (started before the group, as migrations and the first
/// timetable snapshot need it) is cancelled and awaited after everything else has stopped.
struct DatabaseService: Service {
    let store: ControlStore
    let client: Task<Void, Never>?

    func run() async throws {
        try? await gracefulShutdown()
        // A group cancelled on a failure cancels this task too; the close must still happen
        // (a cancelled close is skipped), so it runs in a task of its own.
        let store = self.store
        await Task { await store.database.close() }.value
        client?.cancel()
        await client?.value
    }
}
