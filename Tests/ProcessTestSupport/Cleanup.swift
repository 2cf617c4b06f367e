/// Runs `body`, then `cleanup` whether or not it threw, then rethrows (`defer` cannot await).
public func running(_ body: () async throws -> Void, thenCleaningUp cleanup: () async -> Void) async throws {
    let outcome: Result<Void, any Error>
    do {
        try await body()
        outcome = .success(())
    } catch {
        outcome = .failure(error)
    }
    await cleanup()
    try outcome.get()
}
