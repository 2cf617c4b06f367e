import RelayCore

/// `auth.mode: timetable` before the control plane exists: nothing is scheduled, so every
/// publish and play is refused with a reason that says so.
struct UnscheduledAccessPolicy: AccessPolicy {
    func authorize(_ request: AccessRequest) async -> AccessDecision {
        .deny(reason: "no class is scheduled for \(request.stream.name) (auth.mode: timetable)")
    }
}
