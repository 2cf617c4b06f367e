/// A connection the SRT event loop serves: it reads when libsrt says readable and closes
/// (idempotently, from any thread) on errors, eviction or shutdown.
protocol SRTPeer: AnyObject, Sendable {
    var socket: SRTSocket { get }
    func readable()
    func close(reason: String)
}
