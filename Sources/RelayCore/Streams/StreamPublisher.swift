/// The publishing side of a stream as the core sees it: a connection it can close.
public protocol StreamPublisher: AnyObject, Sendable {
    /// Closes the publisher's connection (a newer publisher took over, or the relay stops).
    func evict(reason: String)
}
