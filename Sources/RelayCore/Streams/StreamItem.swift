/// What a stream hands each subscriber: shared media, or an event about the stream.
public enum StreamItem: Sendable {
    case media(MediaMessage)
    case event(StreamEvent)
}

/// Changes in a stream's life that players are told about.
public enum StreamEvent: Sendable, Equatable {
    /// A publisher (first, returning or taking over) started; players wait for its first keyframe.
    case publisherStarted
    /// The publisher went away; the stream waits for it for the grace period.
    case publisherLost
    /// The stream ended (grace period over, or the relay shutting down); players should stop.
    case ended(reason: String)
}
