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
        counters.wireBytes += datagram.readableBytes
        // The RTP header travels in the clear; the payload is decrypted for every packet, or
        // (a load generator sparing its CPU for the server) only for a frame's first packet,
        // where an IDR slice starts.
        guard let (clearHeader, _) = try? RTPHeader.parse(datagram) else { return }
        let isVideo = remote.videoPayloadTypes.contains(clearHeader.payloadType)
        // Until its first slice (a keyframe starts with SPS/PPS in a STAP-A, then the IDR).
        let needsPayload = isVideo && (frame.timestamp != clearHeader.timestamp || !frame.sliceSeen)
        var payload: ByteBuffer?
        if decryptsEveryPacket || needsPayload {
            var packet = datagram
            do {
                try srtp.unprotectRTP(&packet)
            } catch {
                counters.unprotectFailures += 1
                return
            }
            guard let parsed = try? RTPPacket.parse(packet) else { return }
            payload = parsed.payload
        }
        if isVideo {
            counters.videoPackets += 1
            video.receive(sequence: clearHeader.sequenceNumber, ssrc: clearHeader.ssrc)
            receiveVideo(clearHeader, payload: payload, now: now)
        } else if remote.audioPayloadTypes.contains(clearHeader.payloadType) {
            counters.audioPackets += 1
            audio.receive(sequence: clearHeader.sequenceNumber, ssrc: clearHeader.ssrc)
        }
    }

    private func receiveVideo(_ header: RTPHeader, payload: ByteBuffer?, now: NIODeadline) {
        if frame.timestamp != header.timestamp {
            frame = FrameAssembly(timestamp: header.timestamp)
        }
        if !frame.sliceSeen, let payload, let slice = Self.firstSlice(payload: payload) {
            frame.sliceSeen = true
            frame.idrFingerprint = slice
        }
        guard header.marker else { return }
        counters.frames += 1
        if frame.isKeyframe {
            counters.keyframes += 1
            if counters.firstKeyframeAt == nil { counters.firstKeyframeAt = now - startedAt }
        }
        if counters.firstKeyframeAt != nil {
            if let last = counters.lastFrameAt, now - last > Self.stallThreshold, !stallCounted { counters.stalls += 1 }
            counters.lastFrameAt = now
            stallCounted = false
        }
        onVideoFrame?(WHEPReceivedFrame(rtpTimestamp: header.timestamp, isKeyframe: frame.isKeyframe, idrFingerprint: frame.idrFingerprint))
        frame = FrameAssembly()
    }

    /// The first slice NAL unit starting in this payload (RFC 6184: single NAL unit, STAP-A, or
    /// an FU-A with the start bit): nil when there is none (parameter sets, SEI, a middle
    /// fragment); otherwise the fingerprint of an IDR slice, or `.some(nil)` for a non-IDR slice.
    static func firstSlice(payload: ByteBuffer) -> UInt64?? {
        let bytes = payload.readableBytesView
        guard let first = bytes.first else { return nil }
        func slice(_ type: UInt8, _ body: ByteBufferView.SubSequence) -> UInt64?? {
            switch type {
            case 5: return .some(nalFingerprint(body))
            case 1: return .some(nil)
            default: return nil
            }
        }
        switch first & 0x1F {
        case 1, 5:
            return slice(first & 0x1F, bytes.dropFirst())
        case 24:  // STAP-A: 16-bit sizes, each followed by a NAL unit
            var rest = bytes.dropFirst()
            while rest.count >= 3 {
                let size = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
                let nal = rest.dropFirst(2).prefix(size)
                guard nal.count == size, size > 0 else { return nil }
                if let found = slice(nal[nal.startIndex] & 0x1F, nal.dropFirst()) { return found }
                rest = rest.dropFirst(2 + size)
            }
            return nil
        case 28:  // FU-A: indicator, header (S E R type), fragment
            guard bytes.count > 2 else { return nil }
            let fuHeader = bytes[bytes.startIndex + 1]
            guard fuHeader & 0x80 != 0 else { return nil }
            return slice(fuHeader & 0x1F, bytes.dropFirst(2))
        default:
            return nil
        }
    }

    func receiveRTCP(_ datagram: ByteBuffer, now: NIODeadline) {
        guard state == .connected, let srtp else { return }
        counters.wireBytes += datagram.readableBytes
        var packet = datagram
        do {
            try srtp.unprotectRTCP(&packet)
        } catch {
            counters.unprotectFailures += 1
            return
        }
        guard let packets = try? RTCPCompound.parse(packet) else { return }
        for case .senderReport(let report) in packets {
            counters.senderReports += 1
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
