import ControlPlane
public import NIOCore

/// The deadlines of one HTTP/1 connection, as a value: events in (bytes read, a request head
/// parsed, a response ended), the deadline out. A new connection has `headTimeout` to deliver a
/// whole request head (its TLS handshake included); between requests a keep-alive connection may
/// stay silent for `idleTimeout`, and once the next request's first byte arrives its head is due
/// within `headTimeout` again. While a request is being answered there is no deadline, so a long
/// response (HTTP-FLV, an LL-HLS blocking reload) is never cut. Unit-tested without sockets or
/// clocks; ``HTTPDeadlineHandler`` performs it on a channel.
public struct HTTPConnectionDeadlines: Sendable, Equatable {
    public enum Waiting: Sendable, Equatable {
        /// For a request head: the connection is new, or the next request has begun.
        case head
        /// For the next request on a keep-alive connection.
        case nextRequest
        /// Nothing: a request is being answered.
        case nothing
    }

    /// Why a connection is closed at its deadline.
    public enum Expiry: String, Sendable, Equatable {
        case headerTimeout = "header_timeout"
        case idleTimeout = "idle_timeout"
    }

    public let headTimeout: TimeAmount
    public let idleTimeout: TimeAmount
    public private(set) var waiting: Waiting = .head
    /// When the connection is closed unless something happens first; nil: no deadline.
    public private(set) var deadline: NIODeadline?
    /// Requests whose head was read and whose response has not ended (pipelining).
    private var inFlight = 0

    public init(headTimeout: TimeAmount, idleTimeout: TimeAmount, openedAt now: NIODeadline) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        deadline = now + headTimeout
    }

    /// Bytes arrived; true when the deadline changed (an idle connection began its next request).
    public mutating func bytesRead(at now: NIODeadline) -> Bool {
        guard waiting == .nextRequest else { return false }
        waiting = .head
        deadline = now + headTimeout
        return true
    }

    /// A request head was parsed: no deadline until its response has ended.
    public mutating func headRead() {
        inFlight += 1
        waiting = .nothing
        deadline = nil
    }

    /// A response ended; true when the deadline changed (the last one in flight: idle from now).
    public mutating func responseEnded(at now: NIODeadline) -> Bool {
        inFlight = max(inFlight - 1, 0)
        guard inFlight == 0, waiting == .nothing else { return false }
        waiting = .nextRequest
        deadline = now + idleTimeout
        return true
    }

    /// Whether the connection is past its deadline at `now`, and why.
    public func expired(at now: NIODeadline) -> Expiry? {
        guard let deadline, now >= deadline else { return nil }
        return waiting == .head ? .headerTimeout : .idleTimeout
    }
}
