public import Foundation

/// A class's stage and raised hands, one row set per class, tagged with the occurrence they
/// belong to (an occurrence's hands and stage are not the next one's).
extension ControlStore {
    /// The stage and hands stored for `classId` in the occurrence starting at `occurrence`;
    /// rows of any other occurrence are removed (the window they belonged to has ended).
    public func classroom(_ classId: String, occurrence: Date) async throws(StoreError) -> ClassStage {
        let tag = Self.millis(occurrence)
        _ = try await database.execute("DELETE FROM class_stage WHERE class_id = ? AND occurrence_starts_at <> ?", [.text(classId), .int(tag)])
        _ = try await database.execute("DELETE FROM class_hands WHERE class_id = ? AND occurrence_starts_at <> ?", [.text(classId), .int(tag)])
        var stage = ClassStage.empty
        if let row = try await database.execute("SELECT * FROM class_stage WHERE class_id = ?", [.text(classId)]).first,
            let sites = row["sites"]?.string, let layout = row["layout"]?.string.flatMap(StageLayout.init(rawValue:)),
            let since = row["since"]?.int
        {
            stage.sites = sites.split(separator: ",").map(String.init)
            stage.layout = layout
            stage.since = Self.date(since)
        }
        stage.hands = try await database.execute(
            "SELECT site_id, since FROM class_hands WHERE class_id = ? ORDER BY since, site_id", [.text(classId)]
        ).compactMap { row in
            guard let site = row["site_id"]?.string, let since = row["since"]?.int else { return nil }
            return RaisedHand(siteId: site, since: Self.date(since))
        }
        return stage
    }

    /// Raises `siteId`'s hand (kept as first raised when it is up already).
    public func raiseHand(_ classId: String, siteId: String, occurrence: Date, at now: Date) async throws(StoreError) {
        _ = try await database.execute(
            """
            INSERT INTO class_hands (class_id, site_id, since, occurrence_starts_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (class_id, site_id) DO NOTHING
            """,
            [.text(classId), .text(siteId), .int(Self.millis(now)), .int(Self.millis(occurrence))]
        )
    }

    /// Lowers `siteId`'s hand (nothing to do when it is not up).
    public func lowerHand(_ classId: String, siteId: String) async throws(StoreError) {
        _ = try await database.execute("DELETE FROM class_hands WHERE class_id = ? AND site_id = ?", [.text(classId), .text(siteId)])
    }

    /// Puts `sites` on stage with `layout` (an empty list ends the stage).
    public func setStage(
        _ classId: String, sites: [String], layout: StageLayout, occurrence: Date, at now: Date
    ) async throws(StoreError) {
        _ = try await database.execute(
            """
            INSERT INTO class_stage (class_id, sites, layout, since, occurrence_starts_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (class_id) DO UPDATE SET sites = excluded.sites, layout = excluded.layout, since = excluded.since,
                occurrence_starts_at = excluded.occurrence_starts_at
            """,
            [.text(classId), .text(sites.joined(separator: ",")), .text(layout.rawValue), .int(Self.millis(now)), .int(Self.millis(occurrence))]
        )
    }

    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
