import Foundation
import RelayCore
import Testing

@testable import SRT

/// What an SRT player is sent, without a socket: a recording send stands in for libsrt's.
struct SRTPlayerDeliveryTests {
    static let start = Date(timeIntervalSince1970: 1_000_000)
    static let source = SRTPlayer.Feed(key: StreamKey(app: "live", name: "math"), rendition: "source")
    static let rung = SRTPlayer.Feed(key: StreamKey(app: "live", name: "math_360p"), rendition: "360p")

    static func chunk(_ tag: UInt8, at position: Int64, keyframe: Bool = false) -> TSChunk {
        TSChunk(bytes: [0x47, tag], startsKeyframe: keyframe, keyframeTime: keyframe ? position : nil, position: position)
    }

    /// A send that records each chunk's tag and answers what `answers` says (sent when empty).
    final class RecordingSend {
        var tags: [UInt8] = []
        var answers: [SRTSocket.SendResult] = []
        func send(_ chunk: TSChunk) -> SRTSocket.SendResult {
            let answer = answers.isEmpty ? .sent : answers.removeFirst()
            if case .sent = answer { tags.append(chunk.bytes[1]) }
            return answer
        }
    }

    @Test func aPlayerStartsAtAKeyframeAndGetsEveryChunkAfterIt() {
        var delivery = SRTPlayerDelivery(active: Self.source, stallTimeout: 5)
        let socket = RecordingSend()
        var switched: SRTPlayerDelivery.Switched?
        for (tag, keyframe) in [(1, false), (2, false), (3, true), (4, false), (5, false)] {
            let outcome = delivery.deliver(
                Self.chunk(UInt8(tag), at: Int64(tag) * 40, keyframe: keyframe), from: Self.source.key, now: Self.start,
                send: socket.send, switched: &switched
            )
            #expect(outcome == .kept)
        }
        #expect(socket.tags == [3, 4, 5])
        #expect(delivery.skippedChunks == 2)
        #expect(delivery.bytesSent == 6)
    }

    @Test func aFullSendBufferSkipsToTheNextKeyframeAndALongStallCloses() {
        var delivery = SRTPlayerDelivery(active: Self.source, stallTimeout: 5)
        let socket = RecordingSend()
        var switched: SRTPlayerDelivery.Switched?
        func deliver(_ tag: UInt8, keyframe: Bool = false, after seconds: TimeInterval = 0) -> SRTPlayer.Delivery {
            delivery.deliver(
                Self.chunk(tag, at: Int64(tag) * 40, keyframe: keyframe), from: Self.source.key,
                now: Self.start.addingTimeInterval(seconds), send: socket.send, switched: &switched
            )
        }
        #expect(deliver(1, keyframe: true) == .kept)
        socket.answers = [.wouldBlock]
        #expect(deliver(2) == .kept, "a full buffer is no reason to close yet")
        #expect(deliver(3) == .kept)
        #expect(deliver(4, keyframe: true) == .kept)
        #expect(socket.tags == [1, 4], "what follows a dropped chunk waits for the next keyframe")
        #expect(delivery.keyframeSkips == 1)

        socket.answers = [.wouldBlock]
        #expect(deliver(5, keyframe: true, after: 10) == .kept)
        socket.answers = [.wouldBlock]
        #expect(deliver(6, keyframe: true, after: 16) == .close, "accepting nothing for the stall timeout closes")
    }

    @Test func aFailedSendCloses() {
        var delivery = SRTPlayerDelivery(active: Self.source, stallTimeout: 5)
        let socket = RecordingSend()
        socket.answers = [.failed(SRTError(operation: "srt_sendmsg2", code: 0, message: "Connection was broken"))]
        var switched: SRTPlayerDelivery.Switched?
        let outcome = delivery.deliver(
            Self.chunk(1, at: 0, keyframe: true), from: Self.source.key, now: Self.start, send: socket.send, switched: &switched)
        #expect(outcome == .close)
    }

    @Test func aSwitchTakesOverAtTheSharedKeyframeWithADiscontinuity() {
        var delivery = SRTPlayerDelivery(active: Self.source, stallTimeout: 5)
        let socket = RecordingSend()
        var switched: SRTPlayerDelivery.Switched?
        func old(_ tag: UInt8, at time: Int64, keyframe: Bool = false) -> SRTPlayer.Delivery {
            delivery.deliver(
                Self.chunk(tag, at: time, keyframe: keyframe), from: Self.source.key, now: Self.start, send: socket.send, switched: &switched)
        }
        func new(_ tag: UInt8, at time: Int64, keyframe: Bool = false) -> SRTPlayer.Delivery {
            delivery.deliver(
                Self.chunk(tag, at: time, keyframe: keyframe), from: Self.rung.key, now: Self.start, send: socket.send, switched: &switched)
        }
        #expect(old(1, at: 0, keyframe: true) == .kept)
        #expect(delivery.prepareSwitch(to: Self.rung, now: Self.start, send: socket.send) == nil)
        #expect(new(10, at: 1960) == .kept)
        #expect(old(2, at: 1990) == .kept)
        #expect(old(3, at: 2000, keyframe: true) == .kept, "held at the keyframe until the new rung gets there")
        #expect(new(11, at: 2000, keyframe: true) == .kept, "the new rung takes over here")
        #expect(old(4, at: 2040) == .leave, "the old feed is left")
        #expect(socket.tags == [1, 2, 11])
        #expect(switched == SRTPlayerDelivery.Switched(from: Self.source, to: Self.rung, at: 2000))
        #expect(delivery.active == Self.rung && delivery.pending == nil && delivery.switches == 1)
    }

    @Test func anAbandonedSwitchReleasesWhatTheOldRungHeldBack() {
        var delivery = SRTPlayerDelivery(active: Self.source, stallTimeout: 5)
        let socket = RecordingSend()
        var switched: SRTPlayerDelivery.Switched?
        _ = delivery.deliver(Self.chunk(1, at: 0, keyframe: true), from: Self.source.key, now: Self.start, send: socket.send, switched: &switched)
        _ = delivery.prepareSwitch(to: Self.rung, now: Self.start, send: socket.send)
        _ = delivery.deliver(Self.chunk(10, at: 1960), from: Self.rung.key, now: Self.start, send: socket.send, switched: &switched)
        _ = delivery.deliver(Self.chunk(2, at: 2000, keyframe: true), from: Self.source.key, now: Self.start, send: socket.send, switched: &switched)
        #expect(socket.tags == [1], "held back")
        #expect(delivery.abandonSwitch(olderThan: 3, now: Self.start.addingTimeInterval(1), send: socket.send) == nil, "not old enough")
        #expect(delivery.abandonSwitch(olderThan: 3, now: Self.start.addingTimeInterval(4), send: socket.send) == Self.rung)
        #expect(socket.tags == [1, 2], "the held keyframe goes out; the player stays on its rung")
        #expect(delivery.active == Self.source && delivery.pending == nil)
        let stray = delivery.deliver(Self.chunk(11, at: 2040), from: Self.rung.key, now: Self.start, send: socket.send, switched: &switched)
        #expect(stray == .leave, "a chunk of a feed the player no longer wants")
    }
}
