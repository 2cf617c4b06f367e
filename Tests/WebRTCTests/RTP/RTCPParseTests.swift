import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("RTCP parsing")
struct RTCPParseTests {
    private func parse(_ bytes: [UInt8]) throws -> [RTCPPacket] {
        try RTCPCompound.parse(ByteBuffer(bytes: bytes))
    }

    private let expectedBlock = RTCPReportBlock(
        ssrc: 0x5566_7788,
        fractionLost: 64,
        cumulativeLost: -2,
        highestSequenceNumber: 0x0001_0005,
        jitter: 33,
        lastSenderReport: 0x1234_5678,
        delaySinceLastSenderReport: 0x0001_0000
    )

    @Test("SR with a report block")
    func senderReport() throws {
        #expect(
            try parse(RTCPSamples.senderReport) == [
                .senderReport(
                    RTCPSenderReport(
                        ssrc: 0x1122_3344,
                        ntpTime: 0x0102_0304_0506_0708,
                        rtpTimestamp: 0x0A0B_0C0D,
                        packetCount: 100,
                        octetCount: 20000,
                        reports: [expectedBlock]
                    ))
            ])
    }

    @Test("RR with a report block")
    func receiverReport() throws {
        #expect(try parse(RTCPSamples.receiverReport) == [.receiverReport(RTCPReceiverReport(ssrc: 0xAABB_CCDD, reports: [expectedBlock]))])
    }

    @Test("SDES CNAME and BYE reason")
    func sourceDescriptionAndBye() throws {
        #expect(
            try parse(RTCPSamples.sourceDescription) == [.sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 0x1122_3344, cname: "test")]))]
        )
        #expect(try parse(RTCPSamples.bye) == [.bye(RTCPGoodbye(ssrcs: [0x1122_3344], reason: "bye"))])
    }

    @Test("generic NACK expands PID and BLP bits")
    func nack() throws {
        #expect(try parse(RTCPSamples.nack) == [.nack(RTCPGenericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [100, 101, 103, 116]))])
    }

    @Test("NACK BLP wraps past 65535")
    func nackWraps() throws {
        let bytes: [UInt8] = [0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x00, 0x07]
        #expect(try parse(bytes) == [.nack(RTCPGenericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [65534, 65535, 0, 1]))])
    }

    @Test("transport-cc kept raw with its media SSRC")
    func transportCC() throws {
        let packets = try parse(RTCPSamples.transportCC)
        guard case .transportCC(let feedback) = try #require(packets.first) else {
            Issue.record("not transport-cc: \(packets)")
            return
        }
        #expect(feedback.mediaSSRC == 2 && feedback.senderSSRC == 1)
        #expect(Array(feedback.feedback.readableBytesView) == Array(RTCPSamples.transportCC[12...]))
    }

    @Test("PLI, FIR and REMB")
    func payloadFeedback() throws {
        #expect(try parse(RTCPSamples.pli) == [.pli(RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 2))])
        #expect(try parse(RTCPSamples.fir) == [.fir(RTCPFullIntraRequest(senderSSRC: 1, entries: [.init(ssrc: 0x0A0B_0C0D, sequenceNumber: 7)]))])
        #expect(try parse(RTCPSamples.remb) == [.remb(RTCPReceiverEstimatedMaximumBitrate(senderSSRC: 1, bitrate: 1_000_000, ssrcs: [0x0A0B_0C0D]))])
    }

    @Test("APP, XR and unknown feedback formats are unknown")
    func unknownPackets() throws {
        #expect(try parse(RTCPSamples.app) == [.unknown(packetType: 204, format: 5)])
        #expect(try parse([0x80, 207, 0, 1, 0, 0, 0, 1]) == [.unknown(packetType: 207, format: 0)])
        #expect(try parse([0x83, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]) == [.unknown(packetType: 205, format: 3)])
        // PSFB FMT 15 without the "REMB" identifier is other application-layer feedback.
        #expect(try parse([0x8F, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0x41, 0x42, 0x43, 0x44]) == [.unknown(packetType: 206, format: 15)])
    }

    @Test("a compound packet parses in order")
    func compound() throws {
        let packets = try parse(RTCPSamples.receiverReport + RTCPSamples.sourceDescription + RTCPSamples.nack + RTCPSamples.pli + RTCPSamples.remb)
        #expect(packets.count == 5)
        #expect(packets[2] == .nack(RTCPGenericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [100, 101, 103, 116])))
    }

    @Test("padding on the last packet is removed")
    func padding() throws {
        // PLI with 4 bytes of padding: P bit set, length 3, last byte the count.
        let bytes: [UInt8] = [0xA1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4]
        #expect(try parse(bytes) == [.pli(RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 2))])
        #expect(throws: RTCPError.invalidPadding) { try parse([0xA1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0]) }
        #expect(throws: RTCPError.invalidPadding) { try parse([0xA1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 13]) }
    }

    @Test("every truncation of every packet throws", arguments: RTCPSamples.all.map(\.name))
    func truncations(name: String) throws {
        let bytes = try #require(RTCPSamples.all.first { $0.name == name }).bytes
        for length in 0..<bytes.count {
            #expect(throws: RTCPError.self, "\(name) cut to \(length)") { try parse(Array(bytes.prefix(length))) }
        }
    }

    @Test("truncating a compound packet throws except at packet boundaries")
    func compoundTruncations() throws {
        let parts = [RTCPSamples.senderReport, RTCPSamples.sourceDescription, RTCPSamples.nack, RTCPSamples.remb]
        let bytes = parts.reduce([], +)
        var boundaries: [Int: Int] = [:]  // length -> packets
        var total = 0
        for (index, part) in parts.enumerated() {
            total += part.count
            boundaries[total] = index + 1
        }
        for length in 1...bytes.count {
            if let count = boundaries[length] {
                #expect(try parse(Array(bytes.prefix(length))).count == count)
            } else {
                #expect(throws: RTCPError.self) { try parse(Array(bytes.prefix(length))) }
            }
        }
    }

    @Test("a length field past the end or a count larger than the body throws")
    func inconsistentFields() {
        #expect(throws: RTCPError.truncated) { try parse([0x81, 201, 0, 20] + Array(RTCPSamples.receiverReport[4...])) }
        #expect(throws: RTCPError.countExceedsLength(packetType: 201)) {
            try parse([0x82, 201, 0, 7] + Array(RTCPSamples.receiverReport[4...]))
        }
        #expect(throws: RTCPError.countExceedsLength(packetType: 200)) {
            try parse([0x9F] + Array(RTCPSamples.senderReport[1...]))
        }
        #expect(throws: RTCPError.countExceedsLength(packetType: 202)) {
            try parse([0x82] + Array(RTCPSamples.sourceDescription[1...]))
        }
        #expect(throws: RTCPError.countExceedsLength(packetType: 203)) { try parse([0x82, 203, 0, 1, 0, 0, 0, 1]) }
        #expect(throws: RTCPError.countExceedsLength(packetType: 206)) {
            try parse(Array(RTCPSamples.remb[..<16]) + [0x02] + Array(RTCPSamples.remb[17...]))
        }
        #expect(throws: RTCPError.malformed(packetType: 205)) { try parse([0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]) }
        #expect(throws: RTCPError.malformed(packetType: 206)) { try parse([0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]) }
        #expect(throws: RTCPError.unsupportedVersion(1)) { try parse([0x41] + Array(RTCPSamples.pli[1...])) }
        #expect(throws: RTCPError.empty) { try parse([]) }
    }

    @Test("random bytes never trap")
    func randomBytes() {
        var generator = SeededGenerator(seed: 3)
        let types: [UInt8] = [200, 201, 202, 203, 204, 205, 206, 207]
        for _ in 0..<5000 {
            var bytes = generator.bytes(Int.random(in: 0...96, using: &generator))
            if bytes.count >= 4 {
                bytes[0] = bytes[0] & 0x3F | 0x80
                bytes[1] = types[Int.random(in: 0..<types.count, using: &generator)]
                bytes[2] = 0
                bytes[3] = UInt8.random(in: 0...24, using: &generator)
            }
            _ = try? parse(bytes)
        }
    }
}
