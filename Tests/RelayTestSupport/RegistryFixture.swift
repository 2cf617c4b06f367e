import NIOCore
import NIOEmbedded
import RelayCore

/// A registry whose grace timer runs on an ``EmbeddedEventLoop`` (time moves only when told).
public struct RegistryFixture {
    public let loop = EmbeddedEventLoop()
    public let registry: StreamRegistry
    public let key = StreamKey(app: "live", name: "room42")

    public init(grace: TimeAmount = .milliseconds(50), gopCacheBytes: Int = 1 << 20, framer: @escaping MessageFramer = { _ in }) {
        registry = StreamRegistry(
            configuration: .init(publisherGrace: grace, gopCacheBytes: gopCacheBytes),
            timerLoop: loop, framer: framer
        )
    }

    /// Metadata, both sequence headers, then one GOP: the usual start of an encoder.
    public static func publishStart(_ session: PublishSession, base: UInt32 = 0) {
        session.publish(TestMedia.metadata(ts: base))
        session.publish(TestMedia.videoHeader(ts: base))
        session.publish(TestMedia.audioHeader(ts: base))
        session.publish(TestMedia.keyframe(ts: base + 40))
        session.publish(TestMedia.audio(ts: base + 50))
        session.publish(TestMedia.interframe(ts: base + 80))
    }
}
