import ControlPlane
import Foundation
import NIOConcurrencyHelpers
import RelayCore

/// The short-lived opaque tokens HLS URIs carry instead of the site key: the key is checked once,
/// at the multivariant playlist, and never repeated in the playlists, segment URIs or access
/// logs. A token names its stream and client; it lapses `idleLifetime` after its last use.
/// Bounded: past `capacity` live tokens the oldest is dropped.
struct HLSTokens: Sendable {
    struct Grant: Sendable {
        let source: StreamKey
        let client: HLSClient
        var lastUsed: ContinuousClock.Instant
    }

    private let tokens = NIOLockedValueBox<[String: Grant]>([:])
    let idleLifetime: Duration
    let capacity: Int

    init(idleLifetime: Duration = .seconds(120), capacity: Int = 20_000) {
        self.idleLifetime = idleLifetime
        self.capacity = capacity
    }

    /// A new token for a client of `source` allowed by `grant`.
    func issue(for source: StreamKey, grant: AccessGrant, listsPartsAsSegments: Bool = false) -> HLSClient {
        let token = Secrets.newToken(byteCount: 16)
        let client = HLSClient(
            id: token, schoolId: grant.schoolId, bandwidthKbps: grant.bandwidthKbps, listsPartsAsSegments: listsPartsAsSegments
        )
        let now = ContinuousClock.now
        tokens.withLockedValue { map in
            if map.count >= capacity {
                map = map.filter { now - $0.value.lastUsed < idleLifetime }
                if map.count >= capacity, let oldest = map.min(by: { $0.value.lastUsed < $1.value.lastUsed }) { map[oldest.key] = nil }
            }
            map[token] = Grant(source: source, client: client, lastUsed: now)
        }
        return client
    }

    /// The client a token stands for, if it is live and for `source`; its use extends it.
    func client(token: String?, for source: StreamKey) -> HLSClient? {
        guard let token, !token.isEmpty else { return nil }
        let now = ContinuousClock.now
        return tokens.withLockedValue { map -> HLSClient? in
            guard var grant = map[token] else { return nil }
            guard now - grant.lastUsed < idleLifetime else {
                map[token] = nil
                return nil
            }
            guard grant.source == source else { return nil }
            grant.lastUsed = now
            map[token] = grant
            return grant.client
        }
    }
}
