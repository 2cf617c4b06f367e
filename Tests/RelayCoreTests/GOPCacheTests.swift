import NIOCore
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("GOPCache")
struct GOPCacheTests {
    @Test func nothingCachedBeforeFirstKeyframe() {
        var cache = GOPCache(maxBytes: 1 << 20)
        cache.append(TestMedia.interframe(ts: 0))
        cache.append(TestMedia.audio(ts: 10))
        cache.append(TestMedia.interframe(ts: 40))
        #expect(cache.messages.isEmpty)
        #expect(cache.bytes == 0)
        #expect(!cache.startsWithKeyframe)
    }

    @Test func cachesFromKeyframe() {
        var cache = GOPCache(maxBytes: 1 << 20)
        cache.append(TestMedia.interframe(ts: 0))
        cache.append(TestMedia.keyframe(ts: 40, size: 100))
        cache.append(TestMedia.audio(ts: 50, size: 10))
        cache.append(TestMedia.interframe(ts: 80, size: 30))
        #expect(cache.messages.map(\.timestamp) == [40, 50, 80])
        #expect(cache.bytes == 140)
        #expect(cache.startsWithKeyframe)
    }

    @Test func keyframeResets() {
        var cache = GOPCache(maxBytes: 1 << 20)
        cache.append(TestMedia.keyframe(ts: 0, size: 100))
        cache.append(TestMedia.interframe(ts: 40, size: 20))
        cache.append(TestMedia.keyframe(ts: 80, size: 50))
        cache.append(TestMedia.interframe(ts: 120, size: 20))
        #expect(cache.messages.map(\.timestamp) == [80, 120])
        #expect(cache.bytes == 70)
    }

    @Test func byteBoundStopsCachingUntilNextKeyframe() {
        var cache = GOPCache(maxBytes: 100)
        cache.append(TestMedia.keyframe(ts: 0, size: 40))
        cache.append(TestMedia.interframe(ts: 40, size: 40))
        #expect(cache.bytes == 80)
        cache.append(TestMedia.interframe(ts: 80, size: 40))  // 120 > 100
        #expect(cache.messages.isEmpty)
        #expect(cache.bytes == 0)
        cache.append(TestMedia.interframe(ts: 120, size: 1))
        cache.append(TestMedia.audio(ts: 130, size: 8))
        #expect(cache.messages.isEmpty)
        cache.append(TestMedia.keyframe(ts: 160, size: 40))
        cache.append(TestMedia.interframe(ts: 200, size: 10))
        #expect(cache.messages.map(\.timestamp) == [160, 200])
        #expect(cache.bytes == 50)
    }

    @Test func exactlyAtBoundStillCaches() {
        var cache = GOPCache(maxBytes: 100)
        cache.append(TestMedia.keyframe(ts: 0, size: 60))
        cache.append(TestMedia.interframe(ts: 40, size: 40))
        #expect(cache.bytes == 100)
        #expect(cache.messages.count == 2)
    }

    @Test func keyframeLargerThanBoundIsNotCached() {
        var cache = GOPCache(maxBytes: 100)
        cache.append(TestMedia.keyframe(ts: 0, size: 101))
        cache.append(TestMedia.interframe(ts: 40, size: 1))
        #expect(cache.messages.isEmpty)
    }

    @Test func resetEmpties() {
        var cache = GOPCache(maxBytes: 1000)
        cache.append(TestMedia.keyframe(ts: 0, size: 10))
        cache.reset()
        #expect(cache.messages.isEmpty)
        #expect(cache.bytes == 0)
        cache.append(TestMedia.interframe(ts: 40))
        #expect(cache.messages.isEmpty)
    }

    @Test func usesWireSizeWhenFramed() {
        var cache = GOPCache(maxBytes: 100)
        var key = TestMedia.keyframe(ts: 0, size: 40)
        key.wire = ByteBuffer(repeating: 0, count: 90)
        cache.append(key)
        #expect(cache.bytes == 90)
        cache.append(TestMedia.interframe(ts: 40, size: 20))
        #expect(cache.messages.isEmpty)
    }
}
