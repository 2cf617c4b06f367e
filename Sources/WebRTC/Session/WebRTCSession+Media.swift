import NIOCore

extension WebRTCSession {
    /// Sends one shared frame: per packet only this viewer's RTP header and SRTP. `feed` holds the
    /// frame's packets for NACKs (video frames the feed's fan-out stored; nil: not resendable).
    func send(_ frame: RTPFrame, from feed: StreamRetransmissions? = nil, now: NIODeadline, output: any DatagramOutput) {
        guard state == .connected else { return }
        switch frame.track {
        case .video:
            guard video != nil else { return }
            if waitingForKeyframe {
                guard frame.isKeyframe else { return }
                waitingForKeyframe = false
            }
            sendVideo(frame, from: feed, timestamp: video!.timestamp(for: frame.timestamp), now: now, output: output)
        case .audio:
            guard var sender = audio else { return }
            let timestamp = sender.timestamp(for: frame.timestamp)
            for payload in frame.payloads {
                let sequence = sender.next(payloadBytes: payload.bytes.readableBytes, timestamp: timestamp, now: now)
                sendPacket(payload, sequence: sequence, timestamp: timestamp, sender: sender, now: now, output: output)
            }
            audio = sender
        }
    }

    /// Starts a viewer's video on a cached group of pictures (keyframe first): sent at once with
    /// timestamps 1 ms apart, so the viewer decodes up to the live picture immediately instead of
    /// waiting for the next keyframe or playing a GOP behind; live frames then continue from the
    /// newest cached one on the stream's own timing.
    func start(with gop: [RTPFrame], from feed: StreamRetransmissions? = nil, now: NIODeadline, output: any DatagramOutput) {
        guard state == .connected, let first = gop.first, first.isKeyframe, var sender = video else { return }
        let base = sender.timestamp(for: first.timestamp)
        var timestamp = base
        for (index, frame) in gop.enumerated() {
            timestamp = base &+ UInt32(index * 90)
            sendVideo(frame, from: feed, timestamp: timestamp, now: now, output: output)
        }
        sender = video!
        sender.anchor(streamTimestamp: gop[gop.count - 1].timestamp, to: timestamp)
        video = sender
        waitingForKeyframe = false
    }

    /// Moves the viewer onto another feed's video (a rung switch) at that feed's keyframe: sequence
    /// numbers simply continue; timestamps continue too where the two feeds' clocks differ.
    func switchVideo(to keyframe: RTPFrame, from feed: StreamRetransmissions? = nil, now: NIODeadline, output: any DatagramOutput) {
        guard var sender = video else { return }
        if let last = sender.lastTimestamp {
            let mapped = sender.timestamp(for: keyframe.timestamp)
            let gap = Int32(bitPattern: mapped &- last)
            if gap <= 0 || gap > 90_000 { sender.anchor(streamTimestamp: keyframe.timestamp, to: last &+ 3_000) }
        }
        video = sender
        waitingForKeyframe = false
        send(keyframe, from: feed, now: now, output: output)
    }

    /// Moves the viewer onto another feed's sound (a stage change) before that feed's `frame` is
    /// sent: sequence numbers simply continue; timestamps continue too where the two feeds'
    /// clocks differ by more than a second or run backwards.
    func switchAudio(to frame: RTPFrame) {
        guard var sender = audio, let last = sender.lastTimestamp else { return }
        let gap = Int32(bitPattern: sender.timestamp(for: frame.timestamp) &- last)
        if gap <= 0 || gap > 48_000 { sender.anchor(streamTimestamp: frame.timestamp, to: last &+ 960) }
        audio = sender
    }

    private func sendVideo(_ frame: RTPFrame, from feed: StreamRetransmissions?, timestamp: UInt32, now: NIODeadline, output: any DatagramOutput) {
        guard var sender = video else { return }
        for (offset, payload) in frame.payloads.enumerated() {
            let sequence = sender.next(payloadBytes: payload.bytes.readableBytes, timestamp: timestamp, now: now)
            if let feed, let first = frame.firstPacketIndex {
                sentVideo.record(
                    sequence: sequence, index: first &+ UInt64(offset), streamTimestamp: frame.timestamp, timestamp: timestamp, feed: feed)
            }
            sendPacket(payload, sequence: sequence, timestamp: timestamp, sender: sender, now: now, output: output)
        }
        video = sender
    }

    /// Resends the packets a NACK names that their feed still holds (same sequence number and
    /// timestamp as first sent, the feed's shared payload).
    func retransmit(_ sequences: [UInt16], now: NIODeadline, output: any DatagramOutput) {
        guard let sender = video else { return }
        for sequence in sequences {
            guard let found = sentVideo.find(sequence: sequence) else {
                stats.nackMisses += 1
                continue
            }
            stats.retransmitted += 1
            sendPacket(found.entry.payload, sequence: sequence, timestamp: found.timestamp, sender: sender, now: now, output: output)
        }
    }

    func sendPacket(
        _ payload: RTPPayload, sequence: UInt16, timestamp: UInt32, sender: RTPSender, now: NIODeadline, output: any DatagramOutput
    ) {
        guard let remoteAddress, let srtp else { return }
        let header = RTPHeader(
            marker: payload.marker, payloadType: sender.payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: sender.ssrc)
        var packet = output.packetBuffer(capacity: RTPHeader.fixedSize + payload.bytes.readableBytes + SRTPSession.maximumProtectionOverhead)
        do {
            try header.write(into: &packet)
            packet.writeImmutableBuffer(payload.bytes)
            try srtp.protectRTP(&packet)
        } catch {
            stats.protectFailures += 1
            return
        }
        stats.bytesSent += packet.readableBytes
        output.send(packet, to: remoteAddress)
    }
}
