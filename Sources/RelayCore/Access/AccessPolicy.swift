/// The single seam through which every publish and play is authorized.
///
/// `auth.mode: open` uses ``OpenAccessPolicy``; the control plane provides the timetable policy.
public protocol AccessPolicy: Sendable {
    func authorize(_ request: AccessRequest) async -> AccessDecision
    /// The decision at once, from memory, where the policy can make it so (a timetable
    /// snapshot); nil: only ``authorize(_:)`` can answer. For callers that must not wait, such as
    /// libsrt's listen callback on its receive thread.
    func decideNow(_ request: AccessRequest) -> AccessDecision?
}

extension AccessPolicy {
    public func decideNow(_ request: AccessRequest) -> AccessDecision? { nil }
}

public struct AccessRequest: Sendable, CustomStringConvertible {
    public enum Action: String, Sendable { case publish, play }
    public enum Transport: String, Sendable { case rtmp, srt, webrtc, flv, hls }

    public let action: Action
    public let transport: Transport
    /// The stream as named by the client, without query or rendition suffix.
    public let stream: StreamKey
    /// The key given by the client (`?key=` or SRT `s=`); never logged.
    public let key: String?
    public let remoteAddress: String

    public init(action: Action, transport: Transport, stream: StreamKey, key: String?, remoteAddress: String) {
        self.action = action
        self.transport = transport
        self.stream = stream
        self.key = key
        self.remoteAddress = remoteAddress
    }

    /// Describes the request without its key.
    public var description: String {
        "\(action.rawValue) \(stream) over \(transport.rawValue) from \(remoteAddress)"
    }
}

public enum AccessDecision: Sendable, Equatable {
    case allow(AccessGrant)
    /// Refused: `code` says why in a form each protocol maps to its own error (metric label,
    /// SRT reject code, HTTP status); `reason` is the human sentence for logs and clients.
    case deny(DenyCode, reason: String)
}

/// What an allowed request is known to be.
public struct AccessGrant: Sendable, Equatable {
    /// The school whose key was used (a site for play, the central school for publish).
    public var schoolId: String?
    /// The site's per-classroom downlink (班均出口带宽) in kbit/s, where known.
    public var bandwidthKbps: Int?

    public init(schoolId: String? = nil, bandwidthKbps: Int? = nil) {
        self.schoolId = schoolId
        self.bandwidthKbps = bandwidthKbps
    }
}

/// Anyone may publish and play: for a lab, warned about at start.
public struct OpenAccessPolicy: AccessPolicy {
    public let defaultBandwidthKbps: Int?
    public init(defaultBandwidthKbps: Int? = nil) { self.defaultBandwidthKbps = defaultBandwidthKbps }
    public func authorize(_ request: AccessRequest) async -> AccessDecision {
        .allow(AccessGrant(bandwidthKbps: defaultBandwidthKbps))
    }
    public func decideNow(_ request: AccessRequest) -> AccessDecision? {
        .allow(AccessGrant(bandwidthKbps: defaultBandwidthKbps))
    }
}
