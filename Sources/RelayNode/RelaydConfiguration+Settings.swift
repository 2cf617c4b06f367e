package import ControlPlane
import Media
package import RTMP
package import Recording
package import RelayCore
package import SRT
package import Transcode
package import WebRTC

/// What each module is configured with, read from relayd's configuration: pure mappings, so a
/// test can check that a key reaches the module it names.
extension RelaydConfiguration {
    /// How a plain-name player of RTMP, HTTP-FLV or SRT steps between rungs.
    package var renditionSelection: RenditionSelector.Configuration {
        var selection = RenditionSelector.Configuration()
        selection.stepDownBacklogMillis = UInt32(playerStepDownBacklogMs)
        selection.stepUpAfter = .seconds(Int64(playerStepUpSeconds))
        return selection
    }

    /// RTMP sessions: chunking, deadlines, players' queues and rung choice, the limits' share.
    package var rtmpSessionConfiguration: RTMPSessionConfiguration {
        var rtmp = RTMPSessionConfiguration()
        rtmp.defaultBandwidthKbps = playerDefaultBandwidthKbps
        rtmp.renditionSelection = renditionSelection
        rtmp.outChunkSize = rtmpChunkSize
        rtmp.handshakeTimeout = .seconds(Int64(rtmpHandshakeTimeoutSeconds))
        rtmp.idleTimeout = .seconds(Int64(rtmpIdleTimeoutSeconds))
        rtmp.playerQueueLimits = .init(maxMillis: UInt32(playerMaxBacklogMs))
        rtmp.playerStallTimeout = .seconds(Int64(playerStallTimeoutSeconds))
        limits.apply(to: &rtmp)
        return rtmp
    }

    /// SRT: latency, encryption, bandwidth cap, players' stall deadline and rung choice.
    package var srtConfiguration: SRTConfiguration {
        var srt = SRTConfiguration()
        srt.latencyMs = srtLatencyMs
        srt.passphrase = srtPassphrase
        srt.pbkeylen = srtPbkeylen
        srt.maxBandwidth = srtMaxBandwidth.map { Int64($0) }
        srt.playerStallTimeoutSeconds = Double(playerStallTimeoutSeconds)
        srt.defaultBandwidthKbps = playerDefaultBandwidthKbps
        srt.renditionSelection = renditionSelection
        return srt
    }

    /// WebRTC: addresses and ports, session caps and the offers' admission.
    package var webRTCConfiguration: WebRTCConfiguration {
        var webrtc = WebRTCConfiguration()
        webrtc.host = host
        webrtc.port = webrtcPort
        webrtc.tcpPort = webrtcTCPPort
        webrtc.publicAddresses = webrtcPublicAddresses
        webrtc.maxSessions = limits.maxWebRTCSessions
        webrtc.maxTCPConnectionsPerIP = limits.maxConnectionsPerIP
        webrtc.admission.maxUnconnectedPerKey = limits.maxUnconnectedWebRTCPerKey
        webrtc.admission.maxUnconnectedPerIP = limits.maxUnconnectedWebRTCPerIP
        webrtc.admission.offersPerSecondPerIP = limits.webrtcOffersPerSecondPerIP
        webrtc.admission.offerBurstPerIP = 3 * limits.webrtcOffersPerSecondPerIP
        webrtc.renditionSelection.stepUpAfter = .seconds(Int64(playerStepUpSeconds))
        return webrtc
    }

    /// The ladder; transcoding off leaves no rungs, only the class's program while its stage is
    /// not empty.
    package var transcodeSettings: TranscodeSettings {
        TranscodeSettings(
            ladder: transcodeEnabled ? transcodeLadder : [],
            preset: transcodePreset, tune: transcodeTune,
            gopSeconds: Double(transcodeGopSeconds),
            transcodesReturnFeeds: transcodeEnabled && transcodeReturnFeeds,
            rungPresets: transcodeRungPresets,
            sourceServesItsSize: transcodeSourceServesItsSize
        )
    }

    /// Recordings under the data directory, kept by age and disk, ending a window after the class.
    package var recordingSettings: RecordingService.Settings {
        var settings = RecordingService.Settings(directory: dataDir + "/recordings")
        settings.keepDays = recordingKeepDays
        settings.maxDiskMB = recordingMaxDiskMB
        settings.overrun = Double(authWindowMinutes * 60)
        return settings
    }

    /// The reports' facts: how often open sessions are written and how long they are kept.
    package func factsSettings(nodeID: String) -> FactsRecorder.Settings {
        var facts = FactsRecorder.Settings(nodeId: nodeID)
        facts.flushInterval = .seconds(reportsFlushSeconds)
        facts.pollInterval = .seconds(min(2, reportsFlushSeconds))
        facts.keepDays = reportsKeepDays
        facts.window = Double(authWindowMinutes * 60)
        return facts
    }

    /// The HTTP listen queue: as long as the connection budget (the kernel caps it at
    /// somaxconn), so a burst of connections (a flood, every site's page at a class's start) is
    /// queued, not dropped, and no client's SYN is retried a second later.
    package var httpListenBacklog: Int { min(max(256, limits.maxConnections), 4096) }
}
