import Foundation
import NIOCore

extension WebRTCSession {
    /// Handles the viewer's RTCP: receiver reports (loss, round trip), NACK (resend from the
    /// history), PLI/FIR (wait for the next keyframe), REMB (its estimate of the link).
    /// An SRTCP packet that unprotects is what lets the path move to `address` (``MediaPath``).
    func receiveRTCP(
        _ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline, wallClock: Date, output: any DatagramOutput
    ) -> [WebRTCSessionEvent] {
        guard let srtp else { return [] }
        var packet = datagram
        guard (try? srtp.unprotectRTCP(&packet)) != nil else {
            stats.badRTCP += 1
            return []
        }
        authenticatedPacket(from: address, now: now, output: output)
        guard let packets = try? RTCPCompound.parse(packet) else {
            stats.badRTCP += 1
            return []
        }
        var events: [WebRTCSessionEvent] = []
        for rtcp in packets {
            switch rtcp {
            case .receiverReport(let report):
                readReportBlocks(report.reports, arrival: NTPTimestamp(wallClock: wallClock))
            case .senderReport(let report):
                readReportBlocks(report.reports, arrival: NTPTimestamp(wallClock: wallClock))
            case .nack(let nack) where nack.mediaSSRC == video?.ssrc:
                retransmit(nack.lostSequenceNumbers, now: now, output: output)
            case .pli(let pli) where pli.mediaSSRC == video?.ssrc:
                events.append(pictureLost())
            case .fir(let fir) where fir.entries.contains(where: { $0.ssrc == video?.ssrc }):
                events.append(pictureLost())
            case .remb(let remb):
                stats.estimatedBitrate = Int(clamping: remb.bitrate)
            default:
                break
            }
        }
        return events
    }

    private func pictureLost() -> WebRTCSessionEvent {
        stats.pictureLosses += 1
        waitingForKeyframe = true
        return .pictureLost
    }

    private func readReportBlocks(_ blocks: [RTCPReportBlock], arrival: NTPTimestamp) {
        for block in blocks where block.ssrc == video?.ssrc || block.ssrc == audio?.ssrc {
            if block.ssrc == video?.ssrc { stats.fractionLost = Double(block.fractionLost) / 256 }
            guard block.lastSenderReport != 0 else { continue }
            // RFC 3550 6.4.1: RTT = arrival − LSR − DLSR, in 1/65536 s of the middle 32 NTP bits.
            let rtt = arrival.middle32 &- block.lastSenderReport &- block.delaySinceLastSenderReport
            if rtt < 65536 * 10 { stats.rttMs = Double(rtt) * 1000 / 65536 }
        }
    }

    /// A sender report for each track that sent something, each with an SDES CNAME; `wallClock` is
    /// its NTP time, `now` the monotonic instant its RTP time is counted to.
    func sendReports(now: NIODeadline, wallClock: Date, output: any DatagramOutput) {
        guard let srtp, let remoteAddress else { return }
        let ntp = NTPTimestamp(wallClock: wallClock)
        for sender in [video, audio].compactMap({ $0 }) {
            guard let rtpTimestamp = sender.reportTimestamp(now: now) else { continue }
            var packet = RTCPWriter.senderReport(
                ssrc: sender.ssrc, ntpTime: ntp.value, rtpTimestamp: rtpTimestamp, packetCount: sender.packetCount,
                octetCount: sender.octetCount, cname: cname
            )
            guard (try? srtp.protectRTCP(&packet)) != nil else { continue }
            output.send(packet, to: remoteAddress)
        }
    }
}

extension NTPTimestamp {
    /// The NTP time of a wall-clock reading the caller made (sender reports, RTT measurement).
    init(wallClock: Date) {
        let nanoseconds = max(0, wallClock.timeIntervalSince1970) * 1_000_000_000
        self.init(nanosecondsSince1970: UInt64(nanoseconds.rounded()))
    }
}
