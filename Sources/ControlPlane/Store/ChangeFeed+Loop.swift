extension ChangeFeed {
    /// Runs `body` every `interval`, and at once whenever a change of `kind` arrives (from any
    /// node), one run at a time (changes arriving during a run make one more run), until the
    /// task is cancelled.
    public func run(every interval: Duration, on kind: ClusterChange.Kind, _ body: @escaping @Sendable () async -> Void) async {
        let (kicks, kick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let changes = self.changes()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await change in changes where change.concerns(kind) { kick.yield() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    kick.yield()
                }
            }
            for await _ in kicks {
                if Task.isCancelled { break }
                await body()
            }
            group.cancelAll()
        }
    }
}
