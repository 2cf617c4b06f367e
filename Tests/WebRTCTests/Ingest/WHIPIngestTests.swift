import Logging
import Media
import NIOCore
import RelayCore
import RelayTestSupport
import Testing

@testable import WebRTC

/// The WHIP ingest without sockets: Chromium's recorded offer, packets built by hand, the
/// registry's stream as the result. Hostile input ends only the session or is dropped.
@Suite struct WHIPIngestTests {
    struct Rig {
        let fixture = RegistryFixture()
        let player = RecordingSubscriber()
        let ingest: WHIPIngest
        let videoSSRC: UInt32
        let videoType: UInt8
        let audioSSRC: UInt32
        let audioType: UInt8

        init() throws {
            let negotiated = try SDPFixture.chromiumWHIP.negotiate(try SDPFixture.chromiumWHIP.text())
            let fixture = self.fixture
            let key = fixture.key
            ingest = try WHIPIngest(stream: key, negotiated: negotiated, logger: Logger(label: "t")) {
                fixture.registry.attachPublisher(FakePublisher(), to: key, info: PublisherInfo(transport: .webrtc))
            }
            videoSSRC = try #require(negotiated.video?.remotePrimarySSRC)
            videoType = try #require(negotiated.video?.codec?.payloadType)
            audioSSRC = try #require(negotiated.audio?.remotePrimarySSRC)
            audioType = try #require(negotiated.audio?.codec?.payloadType)
            fixture.registry.attachSubscriber(player, to: key)
        }

        func packet(_ sequence: UInt16, _ payload: ByteBuffer, timestamp: UInt32, marker: Bool = true, ssrc: UInt32? = nil) -> RTPPacket {
            RTPPacket(
                header: RTPHeader(marker: marker, payloadType: videoType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc ?? videoSSRC),
                payload: payload
            )
        }

        /// `count` 20 ms Opus packets of silence (the stream's audio, so its header is known).
        func audio(count: Int, now: NIODeadline) throws {
            let silence = try OpusSilence()
            for index in 0..<count {
                let opus = silence.packet(timestamp48k: UInt64(index * 960))
                let header = RTPHeader(
                    marker: false, payloadType: audioType, sequenceNumber: UInt16(index + 1), timestamp: UInt32(index * 960), ssrc: audioSSRC)
                _ = try ingest.receive(RTPPacket(header: header, payload: opus.data), now: now)
            }
        }

        /// A keyframe as Chromium sends it: SPS, PPS in a STAP-A, then the IDR slice.
        func keyframe(_ sequence: UInt16, timestamp: UInt32) -> [RTPPacket] {
            var stap = ByteBuffer(bytes: [24])
            for unit in [H264TestStreams.sps, H264TestStreams.pps] {
                stap.writeInteger(UInt16(unit.readableBytes))
                stap.writeImmutableBuffer(unit)
            }
            return [
                packet(sequence, stap, timestamp: timestamp, marker: false),
                packet(sequence &+ 1, H264TestStreams.nal(type: 5, size: 300), timestamp: timestamp),
            ]
        }
    }

    @Test func aKeyframeBecomesTheStreamsSequenceHeaderAndFirstPicture() throws {
        let rig = try Rig()
        let now = NIODeadline.now()
        let start = rig.ingest.start(now: now)
        #expect(start.count == 1, "a PLI at once")
        try rig.audio(count: 6, now: now)
        for packet in rig.keyframe(1, timestamp: 90_000) { _ = try rig.ingest.receive(packet, now: now) }
        _ = try rig.ingest.receive(rig.packet(3, H264TestStreams.nal(type: 1, size: 200), timestamp: 93_600), now: now)
        let video = rig.player.media.filter { $0.kind == .video }
        #expect(video.count == 3, "\(rig.player.raw)")
        #expect(video.first?.isSequenceHeader == true)
        #expect(video.dropFirst().first?.isKeyframe == true)
        #expect(video.last.map { $0.timestamp - video[1].timestamp } == 40, "3600 ticks at 90 kHz")
    }

    @Test func packetsOfAnotherSSRCOrPayloadTypeAreDropped() throws {
        let rig = try Rig()
        let now = NIODeadline.now()
        _ = rig.ingest.start(now: now)
        for packet in rig.keyframe(1, timestamp: 0) {
            _ = try rig.ingest.receive(
                RTPPacket(
                    header: RTPHeader(
                        marker: packet.header.marker, payloadType: rig.videoType, sequenceNumber: packet.header.sequenceNumber, timestamp: 0,
                        ssrc: rig.videoSSRC &+ 7), payload: packet.payload), now: now)
        }
        _ = try rig.ingest.receive(
            RTPPacket(
                header: RTPHeader(payloadType: 33, sequenceNumber: 9, timestamp: 0, ssrc: rig.videoSSRC), payload: ByteBuffer(bytes: [1, 2, 3])),
            now: now)
        #expect(rig.player.media.isEmpty)
        #expect(rig.ingest.stats.foreignPackets == 3)
    }

    @Test func garbageEndsNothingAndTheNextKeyframePlays() throws {
        let rig = try Rig()
        let now = NIODeadline.now()
        _ = rig.ingest.start(now: now)
        try rig.audio(count: 6, now: now)
        var generator = SeededGenerator(seed: 7)
        for sequence in UInt16(1)...500 {
            let bytes = generator.bytes(Int(sequence % 40))
            _ = try? rig.ingest.receive(
                rig.packet(sequence, ByteBuffer(bytes: bytes), timestamp: UInt32(sequence / 3) * 3000, marker: sequence % 3 == 0), now: now)
        }
        #expect(rig.ingest.stats.videoPackets == 500)
        // The session goes on: the next real keyframe is published after a sequence header.
        let before = rig.player.media.count
        for packet in rig.keyframe(501, timestamp: 600_000) { _ = try rig.ingest.receive(packet, now: now) }
        // (The last garbage frame ends when the keyframe's timestamp begins, so it may come first.)
        let after = rig.player.media.dropFirst(before).filter { $0.kind == .video }.suffix(2)
        #expect(after.map(\.isSequenceHeader) == [true, false] && after.last?.isKeyframe == true, "\(rig.player.raw.suffix(4))")
        #expect(after.last?.timestamp == after.first?.timestamp)
    }

    /// Under loss a frame can come apart (its end after the next frame began) or a late duplicate
    /// arrive: a unit whose time is not after the last picture's is dropped, never published
    /// with a repeated timestamp (players reject a DTS that does not increase), and a keyframe asked for.
    @Test func aUnitThatWouldRepeatATimestampIsDropped() throws {
        let rig = try Rig()
        let now = NIODeadline.now()
        _ = rig.ingest.start(now: now)
        try rig.audio(count: 6, now: now)
        for packet in rig.keyframe(1, timestamp: 90_000) { _ = try rig.ingest.receive(packet, now: now) }
        _ = try rig.ingest.receive(rig.packet(3, H264TestStreams.nal(type: 1, size: 200), timestamp: 93_600), now: now)
        let damagedBefore = rig.ingest.stats.damagedFrames
        // A second unit with the time of the one just published, then one from before it.
        _ = try rig.ingest.receive(rig.packet(4, H264TestStreams.nal(type: 1, size: 200), timestamp: 93_600), now: now)
        _ = try rig.ingest.receive(rig.packet(5, H264TestStreams.nal(type: 1, size: 200), timestamp: 91_800), now: now)
        _ = try rig.ingest.receive(rig.packet(6, H264TestStreams.nal(type: 1, size: 200), timestamp: 97_200), now: now)
        let pictures = rig.player.media.filter { $0.kind == .video && !$0.isSequenceHeader }.map(\.timestamp)
        #expect(zip(pictures, pictures.dropFirst()).allSatisfy { $0 < $1 }, "timestamps only increase: \(pictures)")
        #expect(pictures.count == 2, "the keyframe and the next picture; the rest waits for a keyframe: \(pictures)")
        #expect(rig.ingest.stats.damagedFrames > damagedBefore)
        for packet in rig.keyframe(7, timestamp: 100_800) { _ = try rig.ingest.receive(packet, now: now) }
        let after = rig.player.media.filter { $0.kind == .video && !$0.isSequenceHeader }
        #expect(after.last?.isKeyframe == true && after.count == 3, "the next keyframe plays")
    }

    @Test func aNALUnitThatNeverEndsEndsTheSession() throws {
        let rig = try Rig()
        let now = NIODeadline.now()
        _ = rig.ingest.start(now: now)
        let chunk = ByteBuffer(bytes: [28, 0x85] + [UInt8](repeating: 0xAB, count: 1100))  // FU-A start, IDR
        let middle = ByteBuffer(bytes: [28, 0x05] + [UInt8](repeating: 0xCD, count: 1100))
        _ = try rig.ingest.receive(rig.packet(1, chunk, timestamp: 0, marker: false), now: now)
        var refusal: WHIPIngest.Refusal?
        for sequence in UInt16(2)...6000 where refusal == nil {
            do {
                _ = try rig.ingest.receive(rig.packet(sequence, middle, timestamp: 0, marker: false), now: now)
            } catch {
                refusal = error
            }
        }
        #expect(refusal?.description.contains("without ending") == true, "\(String(describing: refusal))")
    }
}
