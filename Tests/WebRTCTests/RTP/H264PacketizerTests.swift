import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("H264Packetizer")
struct H264PacketizerTests {
    private func packetize(_ nalUnits: [ByteBuffer], keyframe: Bool = false, lengthSize: Int = 4) -> [RTPPayload] {
        var packetizer = H264Packetizer()
        return packetizer.packetize(
            accessUnit: H264TestStreams.avcc(nalUnits, lengthSize: lengthSize),
            nalLengthSize: lengthSize,
            sps: H264TestStreams.sps,
            pps: H264TestStreams.pps,
            isKeyframe: keyframe
        )
    }

    private func roundTrip(_ payloads: [RTPPayload]) throws -> H264AccessUnit {
        var depacketizer = H264Depacketizer()
        var sequence: UInt16 = 65530  // wraps within the larger access units
        let units = H264TestStreams.deliver(payloads, to: &depacketizer, sequence: &sequence, timestamp: 9000)
        #expect(units.count == 1)
        return try #require(units.first)
    }

    private func expectWellFormed(_ payloads: [RTPPayload]) {
        #expect(payloads.allSatisfy { $0.bytes.readableBytes <= 1200 && $0.bytes.readableBytes > 0 })
        #expect(payloads.last?.marker == true)
        #expect(payloads.dropLast().allSatisfy { !$0.marker })
    }

    @Test("one NAL unit survives packetize and depacketize", arguments: [10, 1199, 1200, 1201, 5000, 200_000])
    func roundTripsOneNAL(size: Int) throws {
        let nal = H264TestStreams.nal(type: 1, nri: 2, size: size)
        let payloads = packetize([nal])
        expectWellFormed(payloads)
        if size <= 1200 {
            #expect(payloads.count == 1)
            #expect(payloads[0].bytes == nal)
        } else {
            let room = 1198
            #expect(payloads.count == (size - 1 + room - 1) / room)
            #expect(payloads.allSatisfy { H264TestStreams.type(of: $0) == 28 })
        }
        let unit = try roundTrip(payloads)
        #expect(unit.nalUnits == [nal])
        #expect(!unit.isDamaged)
    }

    @Test("many NAL units of mixed sizes in one access unit", arguments: [1, 2, 4])
    func roundTripsManyNALs(lengthSize: Int) throws {
        let maximum = lengthSize == 1 ? 255 : lengthSize == 2 ? 65535 : 300_000
        let sizes = [1, 2, 10, 700, 1199, 1200, 1201, 2400, 2397, 20_000, 3, 100_000].filter { $0 <= maximum }
        let nalUnits = sizes.enumerated().map { H264TestStreams.nal(type: 1, nri: UInt8($0.offset % 4), size: $0.element) }
        let payloads = packetize(nalUnits, lengthSize: lengthSize)
        expectWellFormed(payloads)
        #expect(try roundTrip(payloads).nalUnits == nalUnits)
    }

    @Test("a keyframe starts with a STAP-A of SPS and PPS")
    func keyframeCarriesParameterSets() throws {
        let idr = H264TestStreams.nal(type: 5, size: 3000)
        let payloads = packetize([idr], keyframe: true)
        expectWellFormed(payloads)
        let first = try #require(payloads.first)
        #expect(H264TestStreams.type(of: first) == 24)
        let expected: [UInt8] =
            [0x78, 0, UInt8(H264TestStreams.sps.readableBytes)] + Array(H264TestStreams.sps.readableBytesView)
            + [0, UInt8(H264TestStreams.pps.readableBytes)] + Array(H264TestStreams.pps.readableBytesView)
        #expect(Array(first.bytes.readableBytesView) == expected)
        #expect(try roundTrip(payloads).nalUnits == [H264TestStreams.sps, H264TestStreams.pps, idr])
    }

    @Test("every SPS and PPS of the configuration record goes in the STAP-A")
    func severalParameterSets() throws {
        let secondSPS = H264TestStreams.nal(type: 7, size: 12, seed: 2)
        let idr = H264TestStreams.nal(type: 5, size: 80)
        var packetizer = H264Packetizer()
        let payloads = packetizer.packetize(
            accessUnit: H264TestStreams.avcc([idr]),
            sps: [H264TestStreams.sps, secondSPS],
            pps: [H264TestStreams.pps],
            isKeyframe: true
        )
        #expect(packetizer.parameterSets == [H264TestStreams.sps, secondSPS, H264TestStreams.pps])
        #expect(try roundTrip(payloads).nalUnits == [H264TestStreams.sps, secondSPS, H264TestStreams.pps, idr])
    }

    @Test("an IDR is preceded by parameter sets even when not flagged a keyframe")
    func idrWithoutKeyframeFlag() {
        let payloads = packetize([H264TestStreams.nal(type: 5, size: 100)], keyframe: false)
        #expect(payloads.map(H264TestStreams.type(of:)) == [24, 5])
    }

    @Test("an access unit carrying its own SPS and PPS gets no extra STAP-A")
    func inBandParameterSets() throws {
        let nalUnits = [H264TestStreams.sps, H264TestStreams.pps, H264TestStreams.nal(type: 5, size: 500)]
        let payloads = packetize(nalUnits, keyframe: true)
        #expect(payloads.map(H264TestStreams.type(of:)) == [7, 8, 5])
        #expect(try roundTrip(payloads).nalUnits == nalUnits)
    }

    @Test("a non-keyframe has no parameter sets")
    func deltaFrameWithoutParameterSets() {
        let payloads = packetize([H264TestStreams.nal(type: 1, size: 100)])
        #expect(payloads.map(H264TestStreams.type(of:)) == [1])
    }

    @Test("AUD and filler are skipped, SEI dropped by default and kept on request")
    func skipsDelimitersFillerAndSEI() throws {
        let aud = ByteBuffer(bytes: [0x09, 0xF0])
        let sei = H264TestStreams.nal(type: 6, nri: 0, size: 20)
        let filler = H264TestStreams.nal(type: 12, nri: 0, size: 40)
        let slice = H264TestStreams.nal(type: 1, size: 200)
        let accessUnit = H264TestStreams.avcc([aud, sei, slice, filler])
        #expect(packetize([aud, sei, slice, filler]).map(\.bytes) == [slice])

        var keeping = H264Packetizer(dropsSEI: false)
        var payloads: [RTPPayload] = []
        keeping.packetize(accessUnit: accessUnit, isKeyframe: false, into: &payloads)
        #expect(payloads.map(\.bytes) == [sei, slice])
        #expect(payloads.map(\.marker) == [false, true])
    }

    @Test("FU-A fragments keep F and NRI, set S on the first and E on the last")
    func fragmentHeaders() throws {
        for nri: UInt8 in 0...3 {
            let nal = H264TestStreams.nal(type: 5, nri: nri, size: 4000)
            var packetizer = H264Packetizer()
            var payloads: [RTPPayload] = []
            packetizer.packetize(accessUnit: H264TestStreams.avcc([nal]), isKeyframe: false, into: &payloads)
            #expect(payloads.count == 4)
            for (index, payload) in payloads.enumerated() {
                let indicator = try #require(payload.bytes.getInteger(at: payload.bytes.readerIndex, as: UInt8.self))
                let header = try #require(payload.bytes.getInteger(at: payload.bytes.readerIndex + 1, as: UInt8.self))
                #expect(indicator == nri << 5 | 28)
                #expect(header & 0x1F == 5)
                #expect(header & 0x20 == 0)  // reserved bit
                #expect((header & 0x80 != 0) == (index == 0))
                #expect((header & 0x40 != 0) == (index == payloads.count - 1))
            }
            // Balanced: 3999 body bytes over 4 fragments, none more than a byte apart.
            let bodies = payloads.map { $0.bytes.readableBytes - 2 }
            #expect(bodies.reduce(0, +) == 3999)
            #expect((bodies.max() ?? 0) - (bodies.min() ?? 0) <= 1)
        }
    }

    @Test("single NAL unit payloads share the access unit's storage")
    func singleNALsAreSlices() throws {
        let accessUnit = H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 300), H264TestStreams.nal(type: 1, size: 600)])
        var packetizer = H264Packetizer()
        var payloads: [RTPPayload] = []
        packetizer.packetize(accessUnit: accessUnit, isKeyframe: false, into: &payloads)
        try accessUnit.withUnsafeReadableBytes { input in
            let inputStart = try #require(input.baseAddress)
            for payload in payloads {
                payload.bytes.withUnsafeReadableBytes { bytes in
                    let start = bytes.baseAddress.map { $0 - inputStart } ?? -1
                    #expect(start >= 0 && start + bytes.count <= input.count)
                }
            }
        }
    }

    @Test("all FU-A fragments of an access unit share one buffer")
    func fragmentsShareOneBuffer() throws {
        let accessUnit = H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 5000), H264TestStreams.nal(type: 1, size: 3000)])
        var packetizer = H264Packetizer()
        var payloads: [RTPPayload] = []
        packetizer.packetize(accessUnit: accessUnit, isKeyframe: false, into: &payloads)
        let starts = payloads.map { payload in
            payload.bytes.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        }
        // Consecutive fragments lie back to back in one region.
        for index in 1..<payloads.count {
            #expect(starts[index] == starts[index - 1] + UInt(payloads[index - 1].bytes.readableBytes))
        }
    }

    @Test("a payload array reused across access units appends and marks only the last")
    func reusesPayloadArray() {
        var packetizer = H264Packetizer()
        packetizer.setParameterSets([H264TestStreams.sps, H264TestStreams.pps])
        var payloads: [RTPPayload] = []
        packetizer.packetize(accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 5, size: 50)]), isKeyframe: true, into: &payloads)
        packetizer.packetize(accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 50)]), isKeyframe: false, into: &payloads)
        #expect(payloads.map(\.marker) == [false, true, true])
        payloads.removeAll(keepingCapacity: true)
        packetizer.packetize(accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 50)]), isKeyframe: false, into: &payloads)
        #expect(payloads.count == 1)
    }

    @Test("parameter sets too large for one STAP-A go as their own packets")
    func oversizedParameterSets() throws {
        let sps = H264TestStreams.nal(type: 7, size: 1100)
        let pps = H264TestStreams.nal(type: 8, size: 1300)
        let idr = H264TestStreams.nal(type: 5, size: 100)
        var packetizer = H264Packetizer()
        let payloads = packetizer.packetize(accessUnit: H264TestStreams.avcc([idr]), sps: sps, pps: pps, isKeyframe: true)
        expectWellFormed(payloads)
        #expect(payloads.map(H264TestStreams.type(of:)) == [7, 28, 28, 5])
        #expect(try roundTrip(payloads).nalUnits == [sps, pps, idr])
    }

    @Test("hostile AVCC yields packets for the good NAL units only")
    func hostileAVCC() throws {
        let good = H264TestStreams.nal(type: 1, size: 100)
        let big = H264TestStreams.nal(type: 1, size: 3000)
        var cases: [(ByteBuffer, [ByteBuffer])] = []
        // A length past the end after a good NAL.
        var pastEnd = H264TestStreams.avcc([good])
        pastEnd.writeBytes([0, 0, 0x10, 0, 0x41, 1, 2, 3])
        cases.append((pastEnd, [good]))
        // Zero lengths between good ones.
        var zeros = H264TestStreams.avcc([good])
        zeros.writeBytes([0, 0, 0, 0, 0, 0, 0, 0])
        zeros.writeImmutableBuffer(H264TestStreams.avcc([big]))
        cases.append((zeros, [good, big]))
        // A dangling partial length.
        var dangling = H264TestStreams.avcc([big])
        dangling.writeBytes([0, 0])
        cases.append((dangling, [big]))
        // RTP-only NAL types (STAP-A, FU-A) and type 0 inside AVCC.
        cases.append(
            (H264TestStreams.avcc([ByteBuffer(bytes: [0x78, 0, 1]), ByteBuffer(bytes: [0x7C, 0x85]), ByteBuffer(bytes: [0, 1]), good]), [good]))
        // A huge length.
        cases.append((ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x41]), []))
        cases.append((ByteBuffer(), []))

        for (accessUnit, expected) in cases {
            let payloads = packetizeRaw(accessUnit)
            if expected.isEmpty {
                #expect(payloads.isEmpty)
            } else {
                expectWellFormed(payloads)
                #expect(try roundTrip(payloads).nalUnits == expected)
            }
        }
    }

    @Test("random bytes as AVCC never trap and stay within bounds", arguments: [1, 2, 3, 4, 0, 5])
    func randomAVCC(lengthSize: Int) {
        var generator = SeededGenerator(seed: UInt64(lengthSize) + 40)
        var packetizer = H264Packetizer(maxPayloadSize: 100)
        packetizer.setParameterSets([H264TestStreams.sps, H264TestStreams.pps])
        for _ in 0..<500 {
            let bytes = generator.bytes(Int.random(in: 0...400, using: &generator))
            var payloads: [RTPPayload] = []
            packetizer.packetize(
                accessUnit: ByteBuffer(bytes: bytes), nalLengthSize: lengthSize, isKeyframe: Bool.random(using: &generator), into: &payloads)
            #expect(payloads.allSatisfy { $0.bytes.readableBytes <= 100 })
            #expect(payloads.filter(\.marker).count == (payloads.isEmpty ? 0 : 1))
        }
    }

    private func packetizeRaw(_ accessUnit: ByteBuffer) -> [RTPPayload] {
        var packetizer = H264Packetizer()
        var payloads: [RTPPayload] = []
        packetizer.packetize(accessUnit: accessUnit, isKeyframe: false, into: &payloads)
        return payloads
    }
}
