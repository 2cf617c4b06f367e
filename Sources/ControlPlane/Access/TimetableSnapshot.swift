public import Foundation
import NIOConcurrencyHelpers

/// The timetable in memory: every school (by key digest) and every class, as the store last
/// held them. Access decisions read it instead of the database, so no media thread (libsrt's
/// listen callback, an RTMP handshake) ever waits on a query. Reloaded under the control plane's
/// write lock after each change, and every few seconds by ``TimetableSnapshotService`` (a change
/// made by another process sharing the database).
public final class TimetableSnapshot: Sendable {
    public struct Contents: Sendable {
        public var schoolsByKeyHash: [String: School] = [:]
        public var classes: [String: ClassSchedule] = [:]
        /// When it was read; nil before the first load.
        public var loadedAt: Date?

        /// The school whose key this is (its digest looked up, then compared in constant time);
        /// nil for an empty or unknown key.
        public func school(forKey key: String) -> School? {
            guard !key.isEmpty else { return nil }
            let hash = Secrets.keyHash(key)
            guard let school = schoolsByKeyHash[hash], Secrets.constantTimeEquals(school.keyHash, hash) else { return nil }
            return school
        }
    }

    private let box = NIOLockedValueBox(Contents())

    public init() {}

    public var contents: Contents { box.withLockedValue { $0 } }

    /// Reads schools and classes from `store` and replaces the snapshot (kept as it was on failure).
    public func reload(from store: ControlStore) async throws(StoreError) {
        let schools = try await store.schools()
        let classes = try await store.classes()
        let contents = Contents(
            schoolsByKeyHash: Dictionary(schools.map { ($0.keyHash, $0) }, uniquingKeysWith: { first, _ in first }),
            classes: Dictionary(classes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
            loadedAt: Date()
        )
        box.withLockedValue { $0 = contents }
    }
}
