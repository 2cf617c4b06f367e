import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("RTCP writers")
struct RTCPWriterTests {
    private func written(_ write: (inout ByteBuffer) -> Void) throws -> [RTCPPacket] {
        var buffer = ByteBuffer()
        write(&buffer)
        #expect(buffer.readableBytes % 4 == 0)
        return try RTCPCompound.parse(buffer)
    }

    @Test("SR + SDES compound round trips")
    func senderReport() throws {
        let ntp = NTPTimestamp(nanosecondsSince1970: 1_700_000_000_250_000_000).value
        let block = RTCPReportBlock(ssrc: 9, fractionLost: 3, cumulativeLost: 1000, highestSequenceNumber: 70000, jitter: 12)
        let packets = try written {
            RTCPWriter.senderReport(
                ssrc: 0xABCD, ntpTime: ntp, rtpTimestamp: 123_456, packetCount: 10, octetCount: 12_000,
                reports: [block], cname: "relay-viewer-1", into: &$0)
        }
        #expect(
            packets == [
                .senderReport(
                    RTCPSenderReport(ssrc: 0xABCD, ntpTime: ntp, rtpTimestamp: 123_456, packetCount: 10, octetCount: 12_000, reports: [block])),
                .sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 0xABCD, cname: "relay-viewer-1")])),
            ])
    }

    @Test("SDES CNAME lengths pad correctly", arguments: [0, 1, 2, 3, 4, 5, 255])
    func cnameLengths(length: Int) throws {
        let cname = String(repeating: "c", count: length)
        let packets = try written { RTCPWriter.sourceDescription(ssrc: 1, cname: cname, into: &$0) }
        #expect(packets == [.sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 1, cname: cname)]))])
    }

    @Test("RR round trips, more than 31 blocks spill into further RRs")
    func receiverReport() throws {
        let blocks = (0..<40).map { RTCPReportBlock(ssrc: UInt32($0), cumulativeLost: -Int32($0), jitter: UInt32($0)) }
        let packets = try written { RTCPWriter.receiverReport(ssrc: 5, reports: blocks, into: &$0) }
        #expect(
            packets == [
                .receiverReport(RTCPReceiverReport(ssrc: 5, reports: Array(blocks[..<31]))),
                .receiverReport(RTCPReceiverReport(ssrc: 5, reports: Array(blocks[31...]))),
            ])
        #expect(try written { RTCPWriter.receiverReport(ssrc: 5, reports: [], into: &$0) } == [.receiverReport(RTCPReceiverReport(ssrc: 5))])
    }

    @Test("cumulative lost is clamped to 24 signed bits")
    func cumulativeLostClamp() throws {
        let blocks = [RTCPReportBlock(ssrc: 1, cumulativeLost: 10_000_000), RTCPReportBlock(ssrc: 2, cumulativeLost: -10_000_000)]
        let packets = try written { RTCPWriter.receiverReport(ssrc: 5, reports: blocks, into: &$0) }
        guard case .receiverReport(let report) = packets.first else {
            Issue.record("no RR")
            return
        }
        #expect(report.reports.map(\.cumulativeLost) == [0x7F_FFFF, -0x80_0000])
    }

    @Test("NACK packs lost sets into PID/BLP pairs")
    func nackPacking() throws {
        #expect(RTCPGenericNack.pairs([1, 2, 3, 20, 40]).map { [$0.pid, $0.blp] } == [[1, 0b11], [20, 0], [40, 0]])
        #expect(RTCPGenericNack.pairs([1, 17, 18]).map { [$0.pid, $0.blp] } == [[1, 0x8000], [18, 0]])
        #expect(RTCPGenericNack.pairs([65534, 65535, 0, 1, 17]).map { [$0.pid, $0.blp] } == [[65534, 0b111], [17, 0]])
        #expect(RTCPGenericNack.pairs([5, 5, 6]).map { [$0.pid, $0.blp] } == [[5, 1]])
        let packets = try written { RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: [1, 2, 3, 20, 40], into: &$0) }
        #expect(packets == [.nack(RTCPGenericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [1, 2, 3, 20, 40]))])
        var empty = ByteBuffer()
        RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: [], into: &empty)
        #expect(empty.readableBytes == 0)
    }

    @Test("random lost sets survive NACK packing")
    func nackRandomSets() throws {
        var generator = SeededGenerator(seed: 21)
        for _ in 0..<200 {
            let base = UInt16.random(in: 0 ... .max, using: &generator)
            let lost = Set((0..<Int.random(in: 1...60, using: &generator)).map { _ in base &+ UInt16.random(in: 0...300, using: &generator) })
            let ordered = lost.sorted { Int16(bitPattern: $0 &- base) < Int16(bitPattern: $1 &- base) }
            let packets = try written { RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: ordered, into: &$0) }
            guard case .nack(let nack) = packets.first else {
                Issue.record("no NACK")
                return
            }
            #expect(nack.lostSequenceNumbers == ordered)
            // Shuffled input still names the same set.
            let shuffled = try written { RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: ordered.shuffled(using: &generator), into: &$0) }
            guard case .nack(let again) = shuffled.first else { return }
            #expect(Set(again.lostSequenceNumbers) == lost)
        }
    }

    @Test("PLI and FIR round trip")
    func keyframeRequests() throws {
        #expect(
            try written { RTCPWriter.pli(senderSSRC: 3, mediaSSRC: 4, into: &$0) } == [.pli(RTCPPictureLossIndication(senderSSRC: 3, mediaSSRC: 4))])
        #expect(
            try written { RTCPWriter.fir(senderSSRC: 3, mediaSSRC: 4, sequenceNumber: 9, into: &$0) }
                == [.fir(RTCPFullIntraRequest(senderSSRC: 3, entries: [.init(ssrc: 4, sequenceNumber: 9)]))])
    }

    @Test(
        "REMB encodes 1 Mbit/s exactly and rounds others down to 18 bits",
        arguments: [
            UInt64(0), 1, 262_143, 262_144, 1_000_000, 2_500_000, 123_456_789, 10_000_000_000, UInt64.max,
        ])
    func remb(bitrate: UInt64) throws {
        let packets = try written { RTCPWriter.remb(senderSSRC: 7, bitrate: bitrate, ssrcs: [1, 2], into: &$0) }
        guard case .remb(let remb) = packets.first else {
            Issue.record("no REMB")
            return
        }
        #expect(remb.ssrcs == [1, 2] && remb.senderSSRC == 7)
        #expect(remb.bitrate <= bitrate)
        #expect(bitrate - remb.bitrate <= bitrate >> 17)
        if bitrate == 1_000_000 {
            #expect(RTCPReceiverEstimatedMaximumBitrate.encode(bitrate: bitrate) == (2, 250_000))
            #expect(remb.bitrate == 1_000_000)
        }
    }

    @Test("the buffer-returning writers match the appending ones")
    func returningWriters() throws {
        var appended = ByteBuffer()
        RTCPWriter.senderReport(ssrc: 1, ntpTime: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5, cname: "c", into: &appended)
        #expect(RTCPWriter.senderReport(ssrc: 1, ntpTime: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5, cname: "c") == appended)
        #expect(
            try RTCPCompound.parse(RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: [7, 9]))
                == [.nack(RTCPGenericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [7, 9]))])
        #expect(try RTCPCompound.parse(RTCPWriter.remb(bitrate: 1_000_000, ssrcs: [3])).count == 1)
        #expect(try RTCPCompound.parse(RTCPWriter.pli(senderSSRC: 1, mediaSSRC: 2)).count == 1)
        #expect(try RTCPCompound.parse(RTCPWriter.fir(senderSSRC: 1, mediaSSRC: 2, sequenceNumber: 1)).count == 1)
        #expect(try RTCPCompound.parse(RTCPWriter.receiverReport(ssrc: 1, reports: [], cname: "x")).count == 2)
    }

    @Test("BYE and transport-cc round trip")
    func byeAndTransportCC() throws {
        #expect(try written { RTCPWriter.bye(ssrcs: [1, 2], reason: "gone", into: &$0) } == [.bye(RTCPGoodbye(ssrcs: [1, 2], reason: "gone"))])
        let feedback = RTCPTransportFeedback(senderSSRC: 1, mediaSSRC: 2, feedback: ByteBuffer(bytes: [0, 5, 0, 1, 0, 0, 1, 0, 0x20, 1, 0, 0]))
        #expect(try written { RTCPPacket.transportCC(feedback).write(into: &$0) } == [.transportCC(feedback)])
    }

    @Test("NTP time from nanoseconds since 1970")
    func ntpTime() {
        #expect(NTPTimestamp(nanosecondsSince1970: 0).value == UInt64(2_208_988_800) << 32)
        #expect(NTPTimestamp(nanosecondsSince1970: 1_500_000_000).value == UInt64(2_208_988_801) << 32 | 0x8000_0000)
        let now: UInt64 = 1_733_000_000_123_456_789
        let back = NTPTimestamp(nanosecondsSince1970: now).nanosecondsSince1970
        #expect(back <= now && now - back <= 1)
        #expect(NTPTimestamp(value: 0x0102_0304_0506_0708).middle32 == 0x0304_0506)
        #expect(NTPTimestamp.compactDuration(nanoseconds: 1_000_000_000) == 0x1_0000)
        #expect(NTPTimestamp.compactDuration(nanoseconds: 500_000_000) == 0x8000)
        #expect(NTPTimestamp.roundTripTime(arrival: 0x1_8000, lastSenderReport: 0x1_0000, delaySinceLastSenderReport: 0x4000) == 0x4000)
        #expect(NTPTimestamp.roundTripTime(arrival: 0x1_0000, lastSenderReport: 0, delaySinceLastSenderReport: 0) == nil)
        #expect(NTPTimestamp.roundTripTime(arrival: 0x1_0000, lastSenderReport: 0x1_0000, delaySinceLastSenderReport: 0x10) == nil)
    }
}
