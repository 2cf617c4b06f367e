/// The three classrooms (三个课堂).
public enum Program: String, Codable, Sendable, CaseIterable {
    /// 专递课堂: a central school teaches its paired teaching sites live, on the timetable.
    case dedicated
    /// 名师课堂: a master teacher's lesson to a community of schools.
    case masterTeacher = "master-teacher"
    /// 名校网络课堂: a famous school's lesson open to many sites.
    case famousSchool = "famous-school"

    /// Famous-school lessons are meant to be watched later (名校网络课堂 "recorded and shared").
    public var recordsByDefault: Bool { self == .famousSchool }
}

/// A school's role: it broadcasts (central: 中心学校/名校) or receives (site: 教学点).
public enum SchoolRole: String, Codable, Sendable {
    case central
    case site
}
