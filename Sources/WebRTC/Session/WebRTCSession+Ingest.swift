import NIOCore

extension WebRTCSession {
    /// The publisher connected: its ingest takes the stream and asks for a keyframe.
    func startIngest(now: NIODeadline, output: any DatagramOutput) {
        guard let ingest else { return }
        logger.info("whip publish started", metadata: ["remote": "\(remoteAddress.map { "\($0)" } ?? "-")"])
        send(rtcp: ingest.start(now: now), output: output)
    }

    /// One SRTP packet from the publisher: decrypted, then to the ingest; a packet that does not
    /// decrypt or parse is counted and dropped, and what the ingest refuses ends the session.
    /// An SRTP packet that unprotects is what lets the path move to `address` (``MediaPath``).
    func receiveIngestRTP(_ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard let ingest, let srtp else { return [] }
        var packet = datagram
        guard (try? srtp.unprotectRTP(&packet)) != nil else {
            stats.badRTP += 1
            return []
        }
        authenticatedPacket(from: address, now: now, output: output)
        guard let parsed = try? RTPPacket.parse(packet) else {
            stats.badRTP += 1
            return []
        }
        stats.bytesReceived += datagram.readableBytes
        do {
            send(rtcp: try ingest.receive(parsed, now: now), output: output)
            return []
        } catch {
            return close(reason: error.description, output: output)
        }
    }

    func tickIngest(now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard let ingest else { return [] }
        do {
            send(rtcp: try ingest.tick(now: now), output: output)
            return []
        } catch {
            return close(reason: error.description, output: output)
        }
    }

    private func send(rtcp packets: [ByteBuffer], output: any DatagramOutput) {
        guard let srtp, let remoteAddress else { return }
        for var packet in packets {
            guard (try? srtp.protectRTCP(&packet)) != nil else { continue }
            output.send(packet, to: remoteAddress)
        }
    }
}
