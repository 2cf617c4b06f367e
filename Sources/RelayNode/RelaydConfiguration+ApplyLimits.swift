import ControlPlane
import Foundation
import HTTPSurface
import RTMP
import RelayCore

extension RelaydConfiguration.Limits {
    /// The RTMP listener's share: connection caps and the largest message.
    func apply(to rtmp: inout RTMPSessionConfiguration) {
        rtmp.maxConnections = maxConnections
        rtmp.maxConnectionsPerIP = maxConnectionsPerIP
        rtmp.maxMessageSize = maxMessageBytes
    }

    /// The REST API's share: body size and the failed-authentication lockout.
    func apply(to api: inout ControlPlaneAPI) {
        api.maxBodyBytes = maxRequestBodyBytes
        api.authLimiter = FailedAuthLimiter(
            configuration: .init(
                maxFailures: authFailuresPerMinute, window: 60, lockout: TimeInterval(authLockoutSeconds)
            ))
    }

    /// The access policy with the stream cap in front of it (both protocols go through it).
    func limiting(_ policy: any AccessPolicy, registry: StreamRegistry) -> any AccessPolicy {
        StreamLimitPolicy(inner: policy, registry: registry, maxStreams: maxStreams)
    }
}
