import Cluster
import ControlPlane
import Foundation
import RelayAPIModels
import RelayCore

extension RelayAPI.School {
    /// A school as created or re-keyed: the only replies that carry its key.
    init(_ s: ControlPlane.School, key: String) {
        self.init(id: s.id, name: s.name, role: s.role.rawValue, bandwidthKbps: s.bandwidthKbps, region: s.region, key: key)
    }
}

extension RelayAPI.Class {
    init(_ c: ClassSchedule) {
        self.init(
            id: c.id, title: c.title, program: c.program.rawValue, centralSchoolId: c.centralSchoolId, teacher: c.teacher,
            subject: c.subject, startsAt: Validation.formatTime(c.startsAt), endsAt: Validation.formatTime(c.endsAt),
            siteIds: c.siteIds, recurrence: c.recurrence.map { RelayAPI.Recurrence(weekly: $0.weekly.map(\.rawValue), until: $0.until) },
            record: c.record
        )
    }
}

extension RelayAPI.Occurrence {
    init(_ o: ControlPlane.Occurrence) {
        self.init(
            classId: o.classId, title: o.title, program: o.program.rawValue, startsAt: Validation.formatTime(o.startsAt),
            endsAt: Validation.formatTime(o.endsAt), centralSchoolId: o.centralSchoolId, siteIds: o.siteIds, record: o.record
        )
    }
}

extension RelayAPI.Recording {
    init(_ r: ControlPlane.Recording) {
        self.init(
            id: r.id, classId: r.classId, title: r.title, program: r.program.rawValue, centralSchoolId: r.centralSchoolId,
            startsAt: Validation.formatTime(r.startsAt), endsAt: r.endsAt.map(Validation.formatTime),
            durationSeconds: Double(r.durationMillis) / 1000, bytes: r.bytes, state: r.state.rawValue
        )
    }
}

extension RelayAPI.Node {
    init(_ node: RelayNode, now: Date) {
        self.init(
            id: node.id, advertiseHost: node.advertiseHost, alive: node.isAlive(now: now, window: NodeHeartbeat.aliveWindow),
            lastSeen: Validation.formatTime(node.lastSeen), streams: node.streams
        )
    }
}
