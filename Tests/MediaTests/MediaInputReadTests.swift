import Testing

@testable import Media

@Suite("MediaInput packets")
struct MediaInputReadTests {
    @Test("reads packets for both streams, keyframe first, then end of stream", arguments: ["flv", "mp4"])
    func readsAllPackets(container: String) throws {
        let files = try TestMedia.files()
        let input = try MediaInput(url: container == "flv" ? files.flv : files.mp4)
        let videoIndex = try #require(input.streams.first { $0.kind == .video }?.index)
        let audioIndex = try #require(input.streams.first { $0.kind == .audio }?.index)

        var counts: [Int: Int] = [:]
        var firstVideoIsKeyframe: Bool?
        var keyframes = 0
        readLoop: while true {
            switch try input.readPacket() {
            case .packet(let packet):
                counts[packet.streamIndex, default: 0] += 1
                #expect(packet.size > 0)
                #expect(packet.data.count == packet.size)
                #expect(packet.dts != nil)
                if packet.streamIndex == videoIndex {
                    if firstVideoIsKeyframe == nil { firstVideoIsKeyframe = packet.isKeyframe }
                    if packet.isKeyframe { keyframes += 1 }
                }
            case .tryAgain:
                continue
            case .endOfStream:
                break readLoop
            }
        }

        #expect(firstVideoIsKeyframe == true)
        #expect(counts[videoIndex] == 50)
        #expect((counts[audioIndex] ?? 0) > 80)
        #expect(keyframes == 2)
        guard case .endOfStream = try input.readPacket() else {
            Issue.record("reading past the end should keep returning .endOfStream")
            return
        }
    }

    @Test("withUnsafeBytes exposes the same bytes as data")
    func unsafeBytesMatchData() throws {
        let input = try MediaInput(url: try TestMedia.files().mp4)
        guard case .packet(let packet) = try input.readPacket() else {
            Issue.record("expected a packet")
            return
        }
        let viaPointer = packet.withUnsafeBytes { Array($0) }
        #expect(viaPointer == packet.data)
        #expect(packet.pts != nil)
    }
}
