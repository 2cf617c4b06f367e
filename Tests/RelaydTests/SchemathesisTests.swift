import Foundation
import ProcessTestSupport
import Testing

/// Property-based API testing with schemathesis (installed by `scripts/bootstrap.sh`) against a
/// real relayd, driven by the document relayd itself serves at `/api/v1/openapi.yaml`: no 5xx,
/// every status/content type/body/header as documented, invalid input rejected, auth enforced.
///
/// The run is deterministic by default (fixed seed); `SCHEMATHESIS_SEED=<n>` picks another seed,
/// `SCHEMATHESIS_SEED=random` lets schemathesis choose (it prints the seed it used).
@Suite(.serialized)
struct SchemathesisTests {
    static let checks = [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
    ]

    /// 413 (body over 64 KiB) is a correct rejection of invalid input too.
    static let config = """
        [checks.negative_data_rejection]
        expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
        """

    /// `python3` as the shell would find it (bootstrap installs schemathesis for that one).
    static func python3() -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/python3"
    }

    /// The last `limit` characters of `text`, so a failure report stays readable.
    static func tail(_ text: String, _ limit: Int = 30_000) -> String {
        text.count <= limit ? text : "…" + String(text.suffix(limit))
    }

    @Test(.timeLimit(.minutes(3)))
    func apiConformsToItsOpenAPIDocument() async throws {
        let python = Self.python3()
        let (probe, version, probeErr) = try await runTool(
            python, ["-c", "import schemathesis; print(schemathesis.__version__)"], timeout: .seconds(60)
        )
        guard probe == 0 else {
            Issue.record(
                """
                schemathesis is not installed for \(python): run scripts/bootstrap.sh \
                (it runs `python3 -m pip install --quiet schemathesis`). \(probeErr.suffix(500))
                """
            )
            return
        }

        // schemathesis sends many requests without or with a wrong token on purpose (ignored_auth,
        // missing_required_header): lift the failed-auth lockout so they do not lock the run out.
        let server = try await RelaydServer(config: "auth:\n  mode: timetable\nlimits:\n  authFailuresPerMinute: 100000\n")
        let work = try makeTemporaryDirectory("schemathesis")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let configPath = work + "/schemathesis.toml"
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)

        let token = server.adminToken
        #expect(!token.isEmpty, "relayd wrote its admin token")
        let seed = ProcessInfo.processInfo.environment["SCHEMATHESIS_SEED"] ?? "20260901"
        var arguments = [
            "-m", "schemathesis.cli", "--config-file", configPath, "--no-color",
            "run", "\(server.apiBase)/openapi.yaml",
            "--header", "Authorization: Bearer \(token)",
            "--checks", Self.checks.joined(separator: ","),
            "--max-examples", "50",
            // One worker: CPython 3.11's ast module is not thread-safe under hypothesis.
            "--workers", "1",
            "--request-timeout", "10",
            "--generation-database", "none",
            "--output-truncate", "true",
        ]
        if seed != "random" { arguments += ["--seed", seed] }

        // Run in the temp dir: schemathesis and hypothesis leave state in the working directory.
        let child = try ChildProcess(python, arguments, directory: work)
        let code = await child.wait(timeout: .seconds(150))
        let output = child.stdout + child.stderr
        #expect(
            code == 0,
            """
            schemathesis \(version.trimmingCharacters(in: .whitespacesAndNewlines)) \
            \(code.map { "exited \($0)" } ?? "timed out after 150 s") against \(server.apiBase):
            \(Self.tail(output))
            relayd stderr:
            \(Self.tail(server.child.stderr, 5_000))
            """
        )
        #expect(server.child.isRunning, "relayd survived the run")
        _ = await server.stop()
    }
}
