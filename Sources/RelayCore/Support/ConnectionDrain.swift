/// A listener's open connections and the threads serving them, which outlive the listener's own
/// service: at shutdown the listener only stops accepting, the relay's core service ends every
/// stream (players are told, publishers closed) and then asks each listener to close what is
/// left, so no listener ends another's streams and nothing is closed before it was told why.
public protocol ConnectionDrain: Sendable {
    /// Gives connections already told to end up to `grace` to finish writing and close by
    /// themselves, then closes the rest and joins the threads serving them. Called once, after
    /// the listener stopped accepting and the streams ended.
    func closeConnections(grace: Duration) async
}

extension ConnectionDrain {
    /// Waits up to `grace` for `allClosed` to hold, looking every 20 ms.
    public func waitForConnections(within grace: Duration, allClosed: () -> Bool) async {
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, !allClosed() {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
