import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("H264Depacketizer")
struct H264DepacketizerTests {
    private func payloads(_ nalUnits: [ByteBuffer]) -> [RTPPayload] {
        var packetizer = H264Packetizer()
        var payloads: [RTPPayload] = []
        packetizer.packetize(accessUnit: H264TestStreams.avcc(nalUnits), isKeyframe: false, into: &payloads)
        return payloads
    }

    @Test("a lost FU-A fragment drops that NAL unit and marks the access unit damaged", arguments: [0, 1, 4])
    func lostFragment(dropped: Int) throws {
        let small = H264TestStreams.nal(type: 1, size: 100)
        let large = H264TestStreams.nal(type: 1, size: 6000)  // fragments 1...6
        let tail = H264TestStreams.nal(type: 1, size: 50)
        let packets = payloads([small, large, tail])
        #expect(packets.count == 8)
        var depacketizer = H264Depacketizer()
        var sequence: UInt16 = 10
        let units = H264TestStreams.deliver(packets, to: &depacketizer, sequence: &sequence, timestamp: 1, dropping: [dropped + 1])
        let unit = try #require(units.first)
        #expect(unit.isDamaged)
        #expect(unit.nalUnits == [small, tail])
    }

    @Test("a lost end fragment drops the NAL unit at the next start")
    func lostEndFragment() throws {
        let first = H264TestStreams.nal(type: 1, size: 3000)
        let second = H264TestStreams.nal(type: 1, size: 3000)
        let packets = payloads([first, second])
        var depacketizer = H264Depacketizer()
        var sequence: UInt16 = 0
        // Drop the first NAL's end without a sequence gap: feed the rest renumbered.
        var kept = packets
        kept.remove(at: 2)
        let units = H264TestStreams.deliver(kept, to: &depacketizer, sequence: &sequence, timestamp: 1)
        let unit = try #require(units.first)
        #expect(unit.isDamaged)
        #expect(unit.nalUnits == [second])
    }

    @Test("a timestamp change without a marker ends the access unit")
    func timestampChangeEndsAccessUnit() throws {
        let a = H264TestStreams.nal(type: 1, size: 100)
        let b = H264TestStreams.nal(type: 1, size: 200)
        var depacketizer = H264Depacketizer()
        #expect(depacketizer.push(a, sequenceNumber: 1, timestamp: 3000, marker: false).isEmpty)
        let units = depacketizer.push(b, sequenceNumber: 2, timestamp: 6000, marker: true)
        #expect(
            units == [
                H264AccessUnit(timestamp: 3000, nalUnits: [a]),
                H264AccessUnit(timestamp: 6000, nalUnits: [b]),
            ])
        #expect(depacketizer.flush() == nil)
    }

    @Test("flush returns the pending access unit")
    func flushReturnsPending() {
        let a = H264TestStreams.nal(type: 1, size: 100)
        var depacketizer = H264Depacketizer()
        _ = depacketizer.push(a, sequenceNumber: 1, timestamp: 3000, marker: false)
        #expect(depacketizer.flush() == H264AccessUnit(timestamp: 3000, nalUnits: [a]))
    }

    @Test("STAP-A units, duplicates ignored, AVCC output")
    func aggregationAndAVCC() throws {
        var stap = ByteBuffer(bytes: [0x78])
        for unit in [H264TestStreams.sps, H264TestStreams.pps] {
            stap.writeInteger(UInt16(unit.readableBytes))
            stap.writeImmutableBuffer(unit)
        }
        let idr = H264TestStreams.nal(type: 5, size: 30)
        var depacketizer = H264Depacketizer()
        #expect(depacketizer.push(stap, sequenceNumber: 7, timestamp: 0, marker: false).isEmpty)
        #expect(depacketizer.push(stap, sequenceNumber: 7, timestamp: 0, marker: false).isEmpty)  // duplicate
        let unit = try #require(depacketizer.push(idr, sequenceNumber: 8, timestamp: 0, marker: true).first)
        #expect(unit.nalUnits == [H264TestStreams.sps, H264TestStreams.pps, idr])
        #expect(unit.containsIDR && !unit.isDamaged)
        #expect(unit.avcc == H264TestStreams.avcc([H264TestStreams.sps, H264TestStreams.pps, idr]))
    }

    @Test("a sequence gap marks the next access unit damaged")
    func gapMarksDamaged() throws {
        let a = H264TestStreams.nal(type: 1, size: 100)
        var depacketizer = H264Depacketizer()
        #expect(depacketizer.push(a, sequenceNumber: 65535, timestamp: 0, marker: true).first?.isDamaged == false)
        #expect(depacketizer.push(a, sequenceNumber: 0, timestamp: 1, marker: true).first?.isDamaged == false)  // wraps
        #expect(depacketizer.push(a, sequenceNumber: 2, timestamp: 2, marker: true).first?.isDamaged == true)
    }

    @Test("malformed payloads mark damage and never trap")
    func malformedPayloads() {
        let hostile: [[UInt8]] = [
            [], [0x78], [0x78, 0, 5, 0x41], [0x78, 0, 0], [0x7C], [0x7C, 0x45, 1], [0x79, 1, 2], [0x7D, 0x85, 1],
            [0x7C, 0x85], [0x60],
        ]
        for bytes in hostile {
            var depacketizer = H264Depacketizer()
            let units = depacketizer.push(ByteBuffer(bytes: bytes), sequenceNumber: 1, timestamp: 0, marker: true)
            #expect(units.count == 1)
            #expect(units.first?.isDamaged == true)
        }
        var generator = SeededGenerator(seed: 99)
        var depacketizer = H264Depacketizer()
        for sequence in 0..<3000 {
            let bytes = generator.bytes(Int.random(in: 0...60, using: &generator))
            _ = depacketizer.push(
                ByteBuffer(bytes: bytes),
                sequenceNumber: UInt16(truncatingIfNeeded: sequence),
                timestamp: UInt32(sequence / 5),
                marker: Bool.random(using: &generator)
            )
        }
    }
}
