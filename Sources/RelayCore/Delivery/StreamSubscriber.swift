/// Anything that receives a stream's items: a player's outlet, a transcoder, a muxer.
public protocol StreamSubscriber: AnyObject, Sendable {
    /// Called on the publisher's thread with the stream's lock held: must not block and must
    /// not call back into the stream. `streamHasVideo` tells whether to gate on keyframes.
    func enqueue(_ item: StreamItem, streamHasVideo: Bool)
    /// True for subscribers that write FLV tags (HTTP-FLV players): the stream then frames each
    /// message's tag header once for all of them (``MediaMessage/flvFraming``).
    var wantsFLVFraming: Bool { get }
    /// The site whose mix-minus audio this subscriber takes in place of the stream's audio
    /// where the publisher gives one (a player's school: its key's; nil for every other
    /// subscriber). See ``PublishSession/publish(_:mixMinus:stage:)``.
    var mixMinusSite: String? { get }
    /// False for a subscriber that takes only the stream's audio (a WebRTC program-audio feed):
    /// a transcoder encodes a rung's pictures only while some subscriber wants them.
    var wantsVideo: Bool { get }
}

extension StreamSubscriber {
    public var wantsFLVFraming: Bool { false }
    public var mixMinusSite: String? { nil }
    public var wantsVideo: Bool { true }
}

/// The player's side of an outlet: a connection that writes items to its socket.
///
/// Every method is called on the outlet's event loop only.
public protocol PlayerSink: AnyObject {
    /// False while the connection's outbound buffer is above its high-water mark.
    var isWritable: Bool { get }
    /// Writes one item without flushing.
    func write(_ item: StreamItem)
    /// Flushes everything written since the last flush (one writev).
    func flush()
    /// Closes the connection, logging why.
    func close(reason: CloseReason)
    /// Bytes written but not yet taken by the socket (the connection's own buffer).
    var bufferedBytes: Int { get }
}

extension PlayerSink {
    public var bufferedBytes: Int { 0 }
}
