import NIOCore

/// What a session tells the media server after handling input or time.
enum WebRTCSessionEvent: Equatable {
    /// ICE and DTLS are done and SRTP keys are set: start sending media.
    case connected
    /// The viewer lost a picture (PLI/FIR): it now waits for the next keyframe.
    case pictureLost
    /// The session ended (DELETE, consent lost, close_notify, DTLS failure, bad input).
    case closed(reason: String)
    /// The session no longer knows this address (to make room for a newer one): the media
    /// server stops routing it here.
    case forgotAddress(SocketAddress)
}
