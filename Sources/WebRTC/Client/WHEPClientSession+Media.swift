import NIOCore

extension WHEPClientSession {
    /// FNV-1a over the first 32 bytes after an IDR NAL unit's header byte: the same bytes seen
    /// in the publisher's FLV (AVCC) and in the viewer's RTP (single NAL, STAP-A or the first FU-A
    /// fragment), so a load generator can tell which frame it sent arrived.
    public static func nalFingerprint(_ nalWithoutHeader: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in nalWithoutHeader.prefix(32) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    func receiveRTP(_ datagram: ByteBuffer, now: NIODeadline) {
        guard state == .connected, let srtp, let remote else { return }
        stats.wireBytes += datagram.readableBytes
        var packet = datagram
        do {
            try srtp.unprotectRTP(&packet)
        } catch {
            stats.unprotectFailures += 1
            return
        }
        guard let parsed = try? RTPPacket.parse(packet) else { return }
        let header = parsed.header
        if remote.videoPayloadTypes.contains(header.payloadType) {
            stats.videoPackets += 1
            video.receive(sequence: header.sequenceNumber, ssrc: header.ssrc)
            receiveVideo(parsed, now: now)
        } else if remote.audioPayloadTypes.contains(header.payloadType) {
            stats.audioPackets += 1
            audio.receive(sequence: header.sequenceNumber, ssrc: header.ssrc)
        }
        stats.lostPackets = video.lost + audio.lost
    }

    private func receiveVideo(_ packet: RTPPacket, now: NIODeadline) {
        if frame.timestamp != packet.header.timestamp {
            frame = FrameAssembly(timestamp: packet.header.timestamp)
        }
        if !frame.hasIDR, let fingerprint = Self.idrFingerprint(payload: packet.payload) {
            frame.hasIDR = true
            frame.idrFingerprint = fingerprint
        }
        guard packet.header.marker else { return }
        stats.frames += 1
        if frame.hasIDR {
            stats.keyframes += 1
            if stats.firstKeyframeAt == nil { stats.firstKeyframeAt = now - startedAt }
        }
        if stats.firstKeyframeAt != nil {
            if let last = stats.lastFrameAt, now - last > Self.stallThreshold, !stallCounted { stats.stalls += 1 }
            stats.lastFrameAt = now
            stallCounted = false
        }
        onVideoFrame?(WHEPReceivedFrame(rtpTimestamp: packet.header.timestamp, isKeyframe: frame.hasIDR, idrFingerprint: frame.idrFingerprint))
        frame = FrameAssembly()
    }

    /// The fingerprint of an IDR slice starting in this payload (RFC 6184: single NAL unit,
    /// STAP-A, or an FU-A with the start bit), or nil.
    static func idrFingerprint(payload: ByteBuffer) -> UInt64? {
        let bytes = payload.readableBytesView
        guard let first = bytes.first else { return nil }
        switch first & 0x1F {
        case 5:
            return nalFingerprint(bytes.dropFirst())
        case 24:  // STAP-A: 16-bit sizes, each followed by a NAL unit
            var rest = bytes.dropFirst()
            while rest.count >= 3 {
                let size = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
                let nal = rest.dropFirst(2).prefix(size)
                guard nal.count == size, size > 0 else { return nil }
                if nal[nal.startIndex] & 0x1F == 5 { return nalFingerprint(nal.dropFirst()) }
                rest = rest.dropFirst(2 + size)
            }
            return nil
        case 28:  // FU-A: indicator, header (S E R type), fragment
            guard bytes.count > 2 else { return nil }
            let fuHeader = bytes[bytes.startIndex + 1]
            guard fuHeader & 0x80 != 0, fuHeader & 0x1F == 5 else { return nil }
            return nalFingerprint(bytes.dropFirst(2))
        default:
            return nil
        }
    }

    func receiveRTCP(_ datagram: ByteBuffer, now: NIODeadline) {
        guard state == .connected, let srtp else { return }
        stats.wireBytes += datagram.readableBytes
        var packet = datagram
        do {
            try srtp.unprotectRTCP(&packet)
        } catch {
            stats.unprotectFailures += 1
            return
        }
        guard let packets = try? RTCPCompound.parse(packet) else { return }
        for case .senderReport(let report) in packets {
            stats.senderReports += 1
            lastSenderReports[report.ssrc] = (UInt32(truncatingIfNeeded: report.ntpTime >> 16), now)
        }
    }

    /// A protected receiver report with one block per received track.
    func receiverReport(now: NIODeadline) -> ByteBuffer? {
        guard let srtp else { return nil }
        func block(_ track: inout ReceivedTrack) -> RTCPReportBlock? {
            guard let ssrc = track.ssrc else { return nil }
            let sr = lastSenderReports[ssrc]
            // DLSR in 1/65536 s.
            let delay = sr.map { UInt32(clamping: (now - $0.at).nanoseconds * 65_536 / 1_000_000_000) } ?? 0
            return track.reportBlock(lastSenderReport: sr?.middle ?? 0, delaySinceLastSenderReport: delay)
        }
        let blocks = [block(&video), block(&audio)].compactMap { $0 }
        guard !blocks.isEmpty else { return nil }
        var report = RTCPWriter.receiverReport(ssrc: reporterSSRC, reports: blocks, cname: "whep-client")
        do {
            try srtp.protectRTCP(&report)
        } catch {
            return nil
        }
        return report
    }
}
