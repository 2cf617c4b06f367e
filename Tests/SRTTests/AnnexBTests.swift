import Media
import Testing

@Suite("Annex B and AVCC")
struct AnnexBTests {
    let sps: [UInt8] = [0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9]
    let pps: [UInt8] = [0x68, 0xEB, 0xE3, 0xCB]
    let idr: [UInt8] = [0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x00, 0x10]  // emulation prevention kept as is

    @Test func splitsThreeAndFourByteStartCodes() {
        let stream: [UInt8] = [0, 0, 0, 1] + sps + [0, 0, 1] + pps + [0, 0, 0, 1] + idr
        let units = AnnexB.nalUnits(stream).map(Array.init)
        #expect(units == [sps, pps, idr])
        #expect(AnnexB.nalUnits([0xAA, 0xBB]).isEmpty, "bytes without start codes are no NAL units")
        #expect(AnnexB.nalUnits([0, 0, 1]).isEmpty)
    }

    @Test func roundTripsThroughAVCC() throws {
        let units = [sps[...], pps[...], idr[...]]
        let avcc = AnnexB.avcc(units)
        #expect(Array(avcc.prefix(4)) == [0, 0, 0, UInt8(sps.count)])
        let back = try #require(AnnexB.units(avcc: avcc[...], lengthSize: 4))
        #expect(back.map(Array.init) == [sps, pps, idr])
        #expect(AnnexB.nalUnits(AnnexB.byteStream(back)).map(Array.init) == [sps, pps, idr])
    }

    @Test func truncatedAVCCIsRejected() {
        let avcc = AnnexB.avcc([idr[...]])
        #expect(AnnexB.units(avcc: avcc.dropLast(), lengthSize: 4) == nil)
        #expect(AnnexB.units(avcc: [0, 0][...], lengthSize: 4) == nil)
        #expect(AnnexB.units(avcc: avcc[...], lengthSize: 3) == nil)
    }

    @Test func decoderConfigurationRecordFromParameterSets() throws {
        let record = try #require(AnnexB.decoderConfigurationRecord(sps: sps, pps: pps))
        #expect(Array(record.prefix(6)) == [1, 0x64, 0x00, 0x1F, 0xFF, 0xE1])
        #expect(record.count == 6 + 2 + sps.count + 1 + 2 + pps.count)
        #expect(AnnexB.decoderConfigurationRecord(sps: [0x67], pps: pps) == nil)
    }

    @Test func adtsHeaderRoundTrip() throws {
        let header = ADTSHeader(objectType: 2, frequencyIndex: 4, channelConfiguration: 2, payloadLength: 300)
        let parsed = try #require(ADTSHeader(header.bytes[...]))
        #expect(parsed == header)
        #expect(parsed.sampleRate == 44100)
        #expect(parsed.audioSpecificConfig == [0x12, 0x10])
        let frames = ADTSHeader.frames(header.bytes + [UInt8](repeating: 7, count: 300) + header.bytes + [1, 2])
        #expect(frames.count == 1, "a truncated second frame is not returned")
        #expect(ADTSHeader([0xFF, 0x00, 0, 0, 0, 0, 0][...]) == nil)
    }
}
