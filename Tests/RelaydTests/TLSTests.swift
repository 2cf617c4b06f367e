import Foundation
import ProcessTestSupport
import Testing

/// HTTPS for the API and RTMPS for media, with a self-signed certificate made here.
@Suite(.serialized)
struct TLSTests {
    @Test func apiOverHTTPSAndALessonOverRTMPS() async throws {
        let dir = try makeTemporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (made, _, madeErr) = try await runTool(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
            ])
        #expect(made == 0, "openssl: \(madeErr)")
        try """
        auth:
          mode: open
        http:
          tls: true
        tls:
          certFile: \(dir)/cert.pem
          keyFile: \(dir)/key.pem
        rtmps:
          port: 0
        """.write(toFile: dir + "/relayd.yaml", atomically: true, encoding: .utf8)
        let relay = try ChildProcess(
            RelaydServer.binaryPath,
            [
                "--config", dir + "/relayd.yaml", "--data-dir", dir + "/var", "--host", "127.0.0.1",
                "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0", "--srt-port", "0",
            ])
        defer { relay.signal(SIGKILL) }
        let ready = await relay.waitForOutput(timeout: .seconds(30)) {
            $0.contains("listening rtmps=") && $0.contains("listening https=")
        }
        #expect(ready, "\(relay.stdout) \(relay.stderr)")
        let https = try #require(RelaydServer.port(of: "https", in: relay.stdout))
        let rtmps = try #require(RelaydServer.port(of: "rtmps", in: relay.stdout))
        let rtmp = try #require(RelaydServer.port(of: "rtmp", in: relay.stdout))
        let token = try String(contentsOfFile: dir + "/var/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        // The API over HTTPS (curl -k: the certificate is self-signed); plain HTTP gets no API.
        let health = try await Curl.call("https://127.0.0.1:\(https)/healthz")
        #expect(health.status == 200)
        #expect(health.body.contains("ok"))
        #expect(try await Curl.call("https://127.0.0.1:\(https)/api/v1/schools", token: token).status == 200)
        #expect(try await Curl.call("https://127.0.0.1:\(https)/api/v1/schools").status == 401)
        let (plain, _, _) = try await runTool("curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(https)/healthz"])
        #expect(plain != 0, "plain HTTP on the HTTPS port must not work")

        // A lesson published over RTMPS plays over RTMPS and over plain RTMP.
        let publisher = try MediaTools.publish(to: "rtmps://127.0.0.1:\(rtmps)/live/secure", seconds: 20)
        defer { publisher.signal(SIGKILL) }
        #expect(await relay.waitForOutput(timeout: .seconds(15)) { $0.contains("publish started") }, "\(relay.stderr)")
        for url in ["rtmps://127.0.0.1:\(rtmps)/live/secure", "rtmp://127.0.0.1:\(rtmp)/live/secure"] {
            let (code, out, err) = try await runTool(
                "ffprobe",
                [
                    "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url,
                ], timeout: .seconds(20))
            #expect(code == 0, "\(url): \(err)")
            #expect(out.contains("h264"), "\(url)")
        }
        // Plain RTMP bytes on the RTMPS port are refused; the relay carries on.
        let raw = try RawRTMPClient(port: rtmps)
        try raw.send([3] + [UInt8](repeating: 0, count: 1536))
        #expect(raw.isClosedByServer(within: 5))
        #expect(relay.isRunning)
        relay.signal(SIGTERM)
        #expect(await relay.wait(timeout: .seconds(10)) == 0)
    }

    @Test func rtmpsWithoutACertificateIsAConfigError() async throws {
        let dir = try makeTemporaryDirectory("tlscfg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "rtmps:\n  port: 0\n".write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let (code, _, err) = try await runTool(
            RelaydServer.binaryPath,
            [
                "--config", dir + "/c.yaml", "--data-dir", dir + "/var", "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0",
            ], timeout: .seconds(10))
        #expect(code == 2)
        #expect(err.contains("tls.certFile"), "\(err)")
    }
}
