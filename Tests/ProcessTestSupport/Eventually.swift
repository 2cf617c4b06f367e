import Foundation

/// Waits until `condition` holds, asking it every `every`, and throws a `TestFailure` naming
/// `what` if it still does not hold after `timeout`: the one bounded wait tests use instead of a
/// fixed sleep that stands for a condition.
public func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(15), every: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline { throw TestFailure("waited \(timeout) for \(what())") }
        try await Task.sleep(for: every)
    }
}
