import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `classctl demo`: sets up a demo lesson idempotently, prints ready-to-paste player commands
/// for each site, then broadcasts the generated test source to it until Ctrl-C.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set up a demo lesson (a central school, two sites, a class for two hours), print player commands, broadcast testsrc.",
        discussion: """
            Idempotent: what exists is kept (a class that is not current gets new times). Keys are shown by the \
            API only on create or rotate, so the three demo schools' keys are rotated on every run.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Only set up and print the commands; do not broadcast.") var noBroadcast = false
    @Option(help: "RTMP base URL (default: the server's RTMP port from /healthz, else rtmp://<server host>:1935).") var rtmpUrlBase: String?
    @Option(help: "SRT base URL (default: the server's SRT port from /healthz, else srt://<server host>:10080).") var srtUrlBase: String?
    @Option(help: "testsrc picture size, WIDTHxHEIGHT.") var size = "1280x720"
    @Option(help: "testsrc frame rate.") var fps = 25
    @Option(help: "Stop broadcasting after this many seconds (default: until Ctrl-C).") var duration: Double?

    static let classId = "demo-class"
    static let centralId = "demo-central"
    static let program = "dedicated"
    static let sites: [(id: String, name: String, kbps: Int)] = [
        ("demo-site-fast", "Demo teaching site (fast link)", 8000),
        ("demo-site-slow", "Demo teaching site (slow link)", 1500),
    ]

    /// The default rendition ladder (configs/relayd.yaml `transcode.ladder`).
    static let ladder: [(name: String, width: Int, height: Int, videoKbps: Int, audioKbps: Int)] = [
        ("720p", 1280, 720, 1800, 96), ("480p", 854, 480, 900, 64), ("360p", 640, 360, 450, 48),
    ]

    func validate() throws {
        guard TestSourceSettings.parseSize(size) != nil else { throw ValidationError("--size must be WIDTHxHEIGHT with even numbers, e.g. 1280x720") }
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be 1 to 120") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        let client = try await global.client()
        let (width, height) = TestSourceSettings.parseSize(size)!

        // Schools and pairings.
        var notes: [String] = []
        notes.append(try await Self.ensureSchool(client, id: Self.centralId, name: "Demo central school", role: "central", kbps: nil))
        for site in Self.sites {
            notes.append(try await Self.ensureSchool(client, id: site.id, name: site.name, role: "site", kbps: site.kbps))
        }
        let (pairings, _) = try await client.get([Pairing].self, "pairings")
        for site in Self.sites {
            if pairings.contains(where: { $0.centralSchoolId == Self.centralId && $0.siteId == site.id && $0.program == Self.program }) {
                notes.append("pairing \(Self.centralId) → \(site.id) (\(Self.program)): exists")
                continue
            }
            let (status, data) = try await client.attempt(
                "POST", "pairings", body: ["centralSchoolId": Self.centralId, "siteId": site.id, "program": Self.program])
            guard (200..<300).contains(status) || status == 409 else { throw client.refusal(status, data) }
            notes.append("pairing \(Self.centralId) → \(site.id) (\(Self.program)): \(status == 409 ? "exists" : "created")")
        }
        let (info, classNote) = try await Self.ensureClass(client)
        notes.append(classNote)

        // Fresh keys: the API returns keys only on create and rotate.
        var keys: [String: String] = [:]
        for id in [Self.centralId] + Self.sites.map(\.id) {
            let data = try await client.send("POST", "schools/\(id)/rotate-key")
            let school = try client.decode(School.self, data)
            guard let key = school.key, !key.isEmpty else { throw CLIError.failed("rotate-key for \(id) returned no key") }
            keys[id] = key
        }
        notes.append(
            "rotated the keys of \(([Self.centralId] + Self.sites.map(\.id)).joined(separator: ", ")) (keys are shown only on create or rotate; earlier keys no longer work)"
        )

        let bases = await client.mediaBases(rtmp: rtmpUrlBase, srt: srtUrlBase)
        let rtmpBase = Self.trimmed(bases.rtmp)
        let srtBase = Self.trimmed(bases.srt)
        if global.json {
            output(try Self.json(info: info, keys: keys, rtmpBase: rtmpBase, srtBase: srtBase, sourceHeight: height, notes: notes))
        } else {
            output(Self.text(info: info, keys: keys, rtmpBase: rtmpBase, srtBase: srtBase, width: width, height: height, notes: notes))
        }
        if noBroadcast { return }

        let centralKey = keys[Self.centralId]!
        let target = try Broadcast.Start.mediaURL(
            host: client.host, key: centralKey, classId: Self.classId, transport: "rtmp", rtmpUrlBase: rtmpUrlBase, srtUrlBase: srtUrlBase)
        try Broadcast.Start.push(
            input: "testsrc", testsrc: TestSourceSettings(width: width, height: height, fps: fps, duration: duration),
            loop: false, target: target, info: info, key: centralKey)
    }

    /// The name of the rung a site will get.
    static func expectedRung(bandwidthKbps: Int, sourceHeight: Int) -> String {
        let usable = ladder.filter { $0.height <= sourceHeight }
        let rungs = usable.isEmpty ? [ladder.last!] : usable
        let fitting = rungs.first { Double($0.videoKbps + $0.audioKbps) * 1.2 <= Double(bandwidthKbps) }
        return (fitting ?? rungs.last!).name
    }

    /// Which rung a site will get, and why.
    static func rungExplanation(bandwidthKbps: Int, sourceHeight: Int) -> String {
        let usable = ladder.filter { $0.height <= sourceHeight }
        let rungs = usable.isEmpty ? [ladder.last!] : usable
        for rung in rungs {
            let total = rung.videoKbps + rung.audioKbps
            let need = Double(total) * 1.2
            if need <= Double(bandwidthKbps) {
                return "gets \(rung.name): the highest rung whose total bitrate × 1.2 fits \(bandwidthKbps) kbit/s "
                    + "((\(rung.videoKbps)+\(rung.audioKbps)) × 1.2 = \(format(need)) ≤ \(bandwidthKbps))"
            }
        }
        let lowest = rungs.last!
        return "gets \(lowest.name), the lowest rung, although ((\(lowest.videoKbps)+\(lowest.audioKbps)) × 1.2 = "
            + "\(format(Double(lowest.videoKbps + lowest.audioKbps) * 1.2)) does not fit \(bandwidthKbps) kbit/s"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func encoded(_ key: String) -> String { key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key }

    private static func trimmed(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// GET, then POST when missing (409: created meanwhile); a site's bandwidth is corrected.
    static func ensureSchool(_ client: APIClient, id: String, name: String, role: String, kbps: Int?) async throws -> String {
        let (status, data) = try await client.attempt("GET", "schools/\(id)")
        if status == 200 {
            let school = try client.decode(School.self, data)
            guard school.role == role else {
                throw CLIError.refused("school \(id) exists with role \(school.role), not \(role); remove it or rename the demo")
            }
            if let kbps, school.bandwidthKbps != kbps {
                _ = try await client.send("PATCH", "schools/\(id)", body: ["bandwidthKbps": kbps])
                return "school \(id): exists (bandwidth set to \(kbps) kbit/s)"
            }
            return "school \(id): exists"
        }
        guard status == 404 else { throw client.refusal(status, data) }
        var body: [String: Any] = ["id": id, "name": name, "role": role]
        if let kbps { body["bandwidthKbps"] = kbps }
        let (created, answer) = try await client.attempt("POST", "schools", body: body)
        guard (200..<300).contains(created) || created == 409 else { throw client.refusal(created, answer) }
        return "school \(id): \(created == 409 ? "exists" : "created")"
    }

    /// The demo class, created or moved so that it runs from now for two hours.
    static func ensureClass(_ client: APIClient) async throws -> (ClassInfo, String) {
        let now = Date()
        let formatter = ISO8601DateFormatter()
        let starts = formatter.string(from: now.addingTimeInterval(-60))
        let ends = formatter.string(from: now.addingTimeInterval(2 * 3600))
        let siteIds = sites.map(\.id)
        let (status, data) = try await client.attempt("GET", "classes/\(classId)")
        if status == 200 {
            let info = try client.decode(ClassInfo.self, data)
            var patch: [String: Any] = [:]
            if let from = parseDate(info.startsAt), let to = parseDate(info.endsAt), from <= now, to >= now.addingTimeInterval(600),
                info.recurrence == nil
            {
            } else {
                patch["startsAt"] = starts
                patch["endsAt"] = ends
            }
            if Set(info.siteIds) != Set(siteIds) { patch["siteIds"] = siteIds }
            guard info.centralSchoolId == centralId else {
                throw CLIError.refused("class \(classId) exists for central school \(info.centralSchoolId), not \(centralId)")
            }
            if patch.isEmpty { return (info, "class \(classId): exists, current until \(info.endsAt)") }
            let answer = try await client.send("PATCH", "classes/\(classId)", body: patch)
            return (try client.decode(ClassInfo.self, answer), "class \(classId): exists, moved to run from now for two hours")
        }
        guard status == 404 else { throw client.refusal(status, data) }
        let body: [String: Any] = [
            "id": classId, "title": "Demo lesson (test pattern)", "program": program, "centralSchoolId": centralId,
            "siteIds": siteIds, "startsAt": starts, "endsAt": ends,
        ]
        let (created, answer) = try await client.attempt("POST", "classes", body: body)
        if created == 409 {
            // Created meanwhile, or a clash with another class; the GET says which.
            let (info, _) = try await client.get(ClassInfo.self, "classes/\(classId)")
            return (info, "class \(classId): exists")
        }
        guard (200..<300).contains(created) else { throw client.refusal(created, answer) }
        return (try client.decode(ClassInfo.self, answer), "class \(classId): created, from now for two hours")
    }

    static func parseDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
