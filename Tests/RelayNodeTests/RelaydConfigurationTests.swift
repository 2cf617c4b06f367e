import Foundation
import RelayCore
import RelayNode
import Testing

/// relayd's configuration without a process: the shipped files, the flags' overrides, and each
/// key reaching the module it configures.
struct RelaydConfigurationTests {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../configs").standardized.path

    @Test func theShippedConfigSaysExactlyTheDefaults() throws {
        // configs/relayd.yaml documents every default; a default changed in code but not there
        // (or the other way round) fails here.
        let shipped = try RelaydConfiguration.resolve(file: Self.configs + "/relayd.yaml", overrides: .init())
        #expect(shipped == RelaydConfiguration())
    }

    @Test func theOpenConfigDiffersOnlyInItsAuthMode() throws {
        let open = try RelaydConfiguration.resolve(file: Self.configs + "/relayd-open.yaml", overrides: .init())
        var expected = RelaydConfiguration()
        expected.authMode = .open
        #expect(open == expected)
    }

    @Test func aKeyInTheFileReachesTheModuleItNames() throws {
        var configuration = RelaydConfiguration()
        try configuration.apply(
            yaml: """
                rtmp:
                  idleTimeoutSeconds: 7
                  chunkSize: 4096
                srt:
                  latencyMs: 120
                  passphrase: a-long-enough-secret
                player:
                  stepUpSeconds: 9
                  maxBacklogMs: 2500
                  stallTimeoutSeconds: 11
                limits:
                  maxConnections: 1500
                  maxWebRTCSessions: 3
                  webrtcOffersPerSecondPerIP: 4
                transcode:
                  preset: ultrafast
                  gopSeconds: 3
                recording:
                  keepDays: 5
                reports:
                  flushSeconds: 1
                """)
        let rtmp = configuration.rtmpSessionConfiguration
        #expect(rtmp.idleTimeout == .seconds(7) && rtmp.outChunkSize == 4096 && rtmp.maxConnections == 1500)
        #expect(rtmp.playerQueueLimits.maxMillis == 2500 && rtmp.playerStallTimeout == .seconds(11))
        #expect(rtmp.renditionSelection.stepUpAfter == .seconds(9))
        let srt = configuration.srtConfiguration
        #expect(srt.latencyMs == 120 && srt.passphrase == "a-long-enough-secret" && srt.playerStallTimeoutSeconds == 11)
        #expect(srt.renditionSelection.stepUpAfter == .seconds(9))
        let webrtc = configuration.webRTCConfiguration
        #expect(webrtc.maxSessions == 3 && webrtc.admission.offersPerSecondPerIP == 4 && webrtc.admission.offerBurstPerIP == 12)
        #expect(webrtc.renditionSelection.stepUpAfter == .seconds(9))
        let transcode = configuration.transcodeSettings
        #expect(transcode.preset == "ultrafast" && transcode.gopSeconds == 3 && transcode.ladder == Rendition.defaultLadder)
        #expect(configuration.recordingSettings.keepDays == 5)
        let facts = configuration.factsSettings(nodeID: "n1")
        #expect(facts.flushInterval == .seconds(1) && facts.pollInterval == .seconds(1))
        #expect(configuration.httpListenBacklog == 1500)
    }

    @Test func transcodingOffLeavesNoRungsAndNoReturnFeedLadder() throws {
        var configuration = RelaydConfiguration()
        try configuration.apply(yaml: "transcode:\n  enabled: false\n  returnFeeds: true\n")
        #expect(configuration.transcodeSettings.ladder.isEmpty)
        #expect(!configuration.transcodeSettings.transcodesReturnFeeds)
    }

    @Test func theListenQueueFollowsTheConnectionBudgetWithinBounds() {
        var configuration = RelaydConfiguration()
        configuration.limits.maxConnections = 10
        #expect(configuration.httpListenBacklog == 256)
        configuration.limits.maxConnections = 100_000
        #expect(configuration.httpListenBacklog == 4096)
    }

    @Test func flagsWinOverTheFileAndAreChecked() throws {
        var overrides = ConfigurationOverrides()
        overrides.rtmpPort = 0
        overrides.webrtcPort = 9000
        overrides.database = "postgres://relay@db/relay"
        overrides.logLevel = "debug"
        let configuration = try RelaydConfiguration.resolve(file: Self.configs + "/relayd.yaml", overrides: overrides)
        #expect(configuration.rtmpPort == 0 && configuration.webrtcPort == 9000 && configuration.webrtcTCPPort == 9000)
        #expect(configuration.databaseURL == "postgres://relay@db/relay" && configuration.logLevel == "debug")

        // ICE-TCP turned off in the file stays off when the flag sets the port.
        var tcpOff = RelaydConfiguration()
        try tcpOff.apply(yaml: "webrtc:\n  tcpPort: off\n")
        try tcpOff.apply(overrides)
        #expect(tcpOff.webrtcPort == 9000 && tcpOff.webrtcTCPPort == nil)

        for (change, key) in [
            ({ (o: inout ConfigurationOverrides) in o.httpPort = 70_000 }, "--http-port"),
            ({ (o: inout ConfigurationOverrides) in o.logLevel = "loud" }, "--log-level"),
            ({ (o: inout ConfigurationOverrides) in o.database = "mysql://x" }, "database"),
        ] {
            var bad = ConfigurationOverrides()
            change(&bad)
            #expect {
                _ = try RelaydConfiguration.resolve(file: Self.configs + "/relayd.yaml", overrides: bad)
            } throws: { ($0 as? ConfigurationError)?.key == key }
        }
    }

    @Test func aBadFileIsOneErrorNamingTheKeyAndTheFile() throws {
        let dir = NSTemporaryDirectory() + "relayd-config-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "rtmp:\n  prot: 1935\n".write(toFile: dir + "/relayd.yaml", atomically: true, encoding: .utf8)
        #expect {
            _ = try RelaydConfiguration.resolve(file: dir + "/relayd.yaml", overrides: .init())
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == "rtmp.prot" && error.description.contains(dir + "/relayd.yaml")
        }
        #expect {
            _ = try RelaydConfiguration.resolve(file: dir + "/missing.yaml", overrides: .init())
        } throws: { "\($0)".contains("cannot read config file") }
    }
}
