import Dispatch
import Media
import NIOCore
import RelayCore
import Testing

/// The timed wait an HLS variant's muxing thread takes its items with: it returns an item as
/// soon as one is there, nil after the timeout (the inbox still open: the variant looks at its
/// idle time and waits again), and nil at once when the inbox is closed (shutdown).
@Suite("Media inbox")
struct MediaInboxTests {
    static func picture(at timestamp: UInt32) -> StreamItem {
        .media(MediaMessage(kind: .video, timestamp: timestamp, payload: ByteBuffer(bytes: [0x27, 1, 0, 0, 0, 9])))
    }

    /// Pops on a GCD thread (the wait blocks), as the muxing thread does.
    static func pop(_ inbox: MediaInbox, waitingAtMost timeout: Duration) async -> (item: StreamItem?, waited: Duration) {
        await withCheckedContinuation { (done: CheckedContinuation<(item: StreamItem?, waited: Duration), Never>) in
            DispatchQueue.global().async {
                let start = ContinuousClock.now
                let item = inbox.pop(waitingAtMost: timeout)
                done.resume(returning: (item, ContinuousClock.now - start))
            }
        }
    }

    @Test func anEmptyInboxWaitsTheTimeoutAndStaysOpen() async {
        let inbox = MediaInbox(maxVideoFrames: 8)
        let (item, waited) = await Self.pop(inbox, waitingAtMost: .milliseconds(50))
        #expect(item == nil)
        #expect(waited >= .milliseconds(45), "returned after \(waited) instead of waiting")
        #expect(!inbox.isClosed)
    }

    @Test func aQueuedItemComesWithoutWaiting() async {
        let inbox = MediaInbox(maxVideoFrames: 8)
        inbox.push(Self.picture(at: 40))
        let (item, waited) = await Self.pop(inbox, waitingAtMost: .seconds(10))
        guard case .media(let message)? = item else {
            Issue.record("no item: \(String(describing: item))")
            return
        }
        #expect(message.timestamp == 40)
        #expect(waited < .seconds(5))
    }

    @Test func closingEndsTheWait() async {
        let inbox = MediaInbox(maxVideoFrames: 8)
        async let popped = Self.pop(inbox, waitingAtMost: .seconds(30))
        inbox.close()
        let (item, waited) = await popped
        #expect(item == nil)
        #expect(inbox.isClosed)
        #expect(waited < .seconds(10), "the close did not wake the wait")
    }
}
