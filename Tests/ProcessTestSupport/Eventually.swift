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

/// Asks `value` every `every` until `condition` holds of what it answered, or `timeout` passes,
/// and returns the last answer either way, for the test to assert on (`#expect`) with the value
/// in its message: `let open = try await waitUntil(timeout: .seconds(5)) { try await
/// relay.metric("relay_open") } until: { $0 <= 1 }`. The sleep between asks lives only here.
@discardableResult
public func waitUntil<Value>(
    timeout: Duration = .seconds(15), every: Duration = .milliseconds(100),
    _ value: () async throws -> Value, until condition: (Value) throws -> Bool
) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        let answer = try await value()
        if try condition(answer) || ContinuousClock.now >= deadline { return answer }
        try await Task.sleep(for: every)
    }
}

/// Asks `condition` every `every` until it holds or `timeout` passes, and answers whether it held,
/// for the test to assert on: `#expect(try await waitUntil(timeout: .seconds(5)) { player.isRunning })`.
public func waitUntil(
    timeout: Duration = .seconds(15), every: Duration = .milliseconds(100), _ condition: () async throws -> Bool
) async throws -> Bool {
    try await waitUntil(timeout: timeout, every: every, condition, until: { $0 })
}
