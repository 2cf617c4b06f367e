import RelayCore

/// A WHIP session as the registry sees its publisher: evicted by a takeover (another publisher
/// of the stream) or the relay's shutdown, which ends the session on the media server's loop.
final class WHIPPublisher: StreamPublisher, Sendable {
    private let end: @Sendable (String) -> Void

    init(end: @escaping @Sendable (String) -> Void) {
        self.end = end
    }

    func evict(reason: String) {
        end(reason)
    }
}
