import Logging
import NIOCore
import RelayCore

/// Lets the stream registry close a publisher's connection from any thread.
final class RTMPPublisherHandle: StreamPublisher {
    let channel: any Channel
    let logger: Logger

    init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
    }

    func evict(reason: String) {
        logger.notice("closing publisher", metadata: ["reason": "\(reason)"])
        channel.close(promise: nil)
    }
}
