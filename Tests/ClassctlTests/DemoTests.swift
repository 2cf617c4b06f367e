import Foundation
import ProcessTestSupport
import Testing

@testable import classctl

/// `classctl demo` against a real relayd (timetable mode): idempotent set-up, printed player
/// commands with fresh keys, and a printed site URL that plays while testsrc is broadcast.
@Suite(.serialized) struct DemoTests {
    /// The first capture of `pattern` in `text`.
    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    static func ids(_ json: String) throws -> [String] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return array.compactMap { $0["id"] as? String }
    }

    @Test func rungs() {
        #expect(Demo.rungExplanation(bandwidthKbps: 8000, sourceHeight: 720).hasPrefix("gets 720p"))
        #expect(Demo.rungExplanation(bandwidthKbps: 1500, sourceHeight: 720).contains("480p: the highest rung"))
        #expect(Demo.rungExplanation(bandwidthKbps: 1500, sourceHeight: 720).contains("1156.8 ≤ 1500"))
        #expect(Demo.rungExplanation(bandwidthKbps: 700, sourceHeight: 720).hasPrefix("gets 360p"))
        #expect(Demo.rungExplanation(bandwidthKbps: 8000, sourceHeight: 240).hasPrefix("gets 360p"))
        #expect(Demo.rungExplanation(bandwidthKbps: 500, sourceHeight: 720).contains("does not fit"))
    }

    @Test func demoIsIdempotentAndItsSiteURLPlays() async throws {
        let relayd = try await RelaydServer(config: RelaydServer.timetableConfig)
        let ctl = Classctl(server: relayd.server, tokenFile: relayd.tokenFile)

        var outputs: [String] = []
        // The second run is not told where RTMP and SRT listen: /healthz says (ports other than
        // the defaults here).
        for arguments in [["demo", "--no-broadcast", "--rtmp-url-base", relayd.rtmpBase], ["demo", "--no-broadcast"]] {
            let (code, out, err) = try await ctl.run(arguments)
            #expect(code == 0, "\(out) \(err)")
            outputs.append(out)
        }
        #expect(outputs[1].contains(relayd.rtmpBase + "/live/"), "the RTMP port from /healthz: \(outputs[1])")
        #expect(outputs[1].contains("srt://127.0.0.1:\(relayd.srtPort)"), "the SRT port from /healthz: \(outputs[1])")
        #expect(outputs[0].contains("class demo-class: created"), "\(outputs[0])")
        #expect(outputs[1].contains("school demo-central: exists"), "\(outputs[1])")
        #expect(outputs[1].contains("class demo-class: exists"), "\(outputs[1])")
        #expect(outputs[1].contains("rotated the keys"))

        // The same objects, once each.
        var (code, out, err) = try await ctl.run("--json", "classes", "list")
        #expect(code == 0, "\(err)")
        #expect(try Self.ids(out).filter { $0 == "demo-class" }.count == 1, "\(out)")
        (code, out, err) = try await ctl.run("--json", "schools", "list")
        #expect(try Self.ids(out).sorted() == ["demo-central", "demo-site-fast", "demo-site-slow"], "\(out)")
        (code, out, err) = try await ctl.run("--json", "pairings", "list")
        #expect(try Self.ids(out).count == 2, "\(out)")

        // The printed commands carry the class id and the fresh keys.
        let text = outputs[1]
        let printedCentralKey = try #require(Self.capture(#"central key: (\S+)"#, in: text), "\(text)")
        let fastKey = try #require(Self.capture(#"demo-site-fast \(8000 kbit/s\), key (\S+):"#, in: text), "\(text)")
        let slowKey = try #require(Self.capture(#"demo-site-slow \(1500 kbit/s\), key (\S+):"#, in: text), "\(text)")
        #expect(Set([printedCentralKey, fastKey, slowKey]).count == 3)
        let fastURL = try #require(Self.capture(#"ffplay "(rtmp://[^"]*key=\#(fastKey))""#, in: text), "\(text)")
        #expect(fastURL == "\(relayd.rtmpBase)/live/demo-class?key=\(fastKey)")
        #expect(text.contains("vlc \"\(relayd.rtmpBase)/live/demo-class?key=\(slowKey)\""))
        #expect(text.contains("ffplay \"srt://127.0.0.1:\(relayd.srtPort)?streamid=#!::r=live/demo-class,m=request,s=\(fastKey)\""))
        #expect(text.contains("gets 720p") && text.contains("gets 480p"))
        #expect(!outputs[0].contains(fastKey), "keys are rotated on every run")

        // --json: the same set-up as one object for scripts; its keys are the freshly rotated ones.
        (code, out, err) = try await ctl.run("--json", "demo", "--no-broadcast", "--rtmp-url-base", relayd.rtmpBase)
        #expect(code == 0, "\(err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
        #expect(object["classId"] as? String == "demo-class")
        let sites = try #require(object["sites"] as? [[String: Any]], "\(out)")
        #expect(sites.map { $0["rendition"] as? String } == ["720p", "480p"], "\(out)")
        let jsonKey = try #require(sites.first?["key"] as? String)
        #expect(jsonKey != fastKey, "rotated again")
        #expect(sites.first?["rtmpURL"] as? String == "\(relayd.rtmpBase)/live/demo-class?key=\(jsonKey)")
        let centralKey = try #require(object["centralKey"] as? String)
        let playURL = try #require(sites.first?["rtmpURL"] as? String)

        // Broadcast testsrc with the central key; the site URL from --json plays it.
        let publisher = try ctl.start(
            "broadcast", "start", "demo-class", "--input", "testsrc", "--size", "320x240", "--fps", "25",
            "--key", centralKey, "--duration", "10", "--rtmp-url-base", relayd.rtmpBase)
        let pushing = await publisher.waitForOutput(timeout: .seconds(15)) { $0.contains("pushing testsrc") }
        #expect(pushing, "\(publisher.stderr)")
        #expect(await relayd.child.waitForOutput(timeout: .seconds(15)) { $0.contains("publish started") }, "the relay has the lesson")
        (code, out, err) = try await runTool(
            "ffprobe", ["-v", "error", "-rw_timeout", "8000000", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", playURL],
            timeout: .seconds(20))
        #expect(code == 0, "\(err) \(publisher.stderr)")
        #expect(out.contains("h264,320,240") && out.contains("aac"), "\(out) \(err)")

        let publisherCode = await publisher.wait(timeout: .seconds(20))
        #expect(publisherCode == 0, "\(publisher.stderr)")
        #expect(publisher.stderr.contains("end of input"), "\(publisher.stderr)")
        #expect(!publisher.stderr.contains(centralKey), "the key is never printed by broadcast")
        #expect(await relayd.stop() == 0)
    }
}
