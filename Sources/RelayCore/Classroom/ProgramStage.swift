import NIOConcurrencyHelpers

/// A class's stage as the media composes it: the on-stage sites (whose return feeds are
/// `live/<classId>~<siteId>`) in stage order, and the layout as the REST API spells it
/// (`pip` or `side-by-side`).
public struct ProgramStage: Equatable, Sendable {
    public var sites: [String]
    public var layout: String

    public init(sites: [String] = [], layout: String = "pip") {
        self.sites = sites
        self.layout = layout
    }

    public static let empty = ProgramStage()
}

/// Told after every change of a class's stage (the control plane calls it; the media listens).
public typealias StageObserver = @Sendable (_ classId: String, _ stage: ProgramStage) -> Void

/// Every class's stage as the transcoders read it: written by the control plane (through a
/// ``StageObserver``, and by a poll of the store), read by each class's transcoder thread at
/// every picture.
public final class ProgramStageBoard: Sendable {
    private struct Entry {
        var stage = ProgramStage.empty
        /// Counts the writes, so a poll that read the store before a change cannot undo it.
        var version = 0
    }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    public init() {}

    /// Sets the class's stage (what the control plane just stored).
    public func set(_ classId: String, _ stage: ProgramStage) {
        entries.withLockedValue { map in
            var entry = map[classId] ?? Entry()
            entry.stage = stage
            entry.version += 1
            map[classId] = entry
        }
    }

    /// How many times the class's stage was set (for ``set(_:_:ifVersion:)``).
    public func version(_ classId: String) -> Int {
        entries.withLockedValue { $0[classId]?.version ?? 0 }
    }

    /// Sets the stage read from the store only if nothing set it since `version` was read.
    public func set(_ classId: String, _ stage: ProgramStage, ifVersion version: Int) {
        entries.withLockedValue { map in
            let entry = map[classId] ?? Entry()
            guard entry.version == version, entry.stage != stage else { return }
            map[classId] = Entry(stage: stage, version: version + 1)
        }
    }

    /// The class's stage (empty when it was never set or was cleared).
    public func stage(_ classId: String) -> ProgramStage {
        entries.withLockedValue { $0[classId]?.stage } ?? .empty
    }
}
