internal import CFFmpeg

/// A flag another thread (e.g. a SIGINT handler) raises to end a ``MediaPusher`` cleanly.
///
/// Blocking libav* network calls poll it through an `AVIOInterruptCB`, so a stop also
/// interrupts a connect or write that is waiting on the network.
public final class PushStopSignal: Sendable {
    private let flag = LockedBox(false)

    public init() {}

    /// Asks the pusher to stop after the packet in progress.
    public func stop() { flag.withLock { $0 = true } }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { flag.withLock { $0 } }

    /// An interrupt callback that aborts blocking I/O once stopped; valid while `self` lives.
    var interruptCallback: AVIOInterruptCB {
        AVIOInterruptCB(callback: stopInterrupt, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}

private let stopInterrupt: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
    guard let opaque else { return 0 }
    return Unmanaged<PushStopSignal>.fromOpaque(opaque).takeUnretainedValue().isStopped ? 1 : 0
}
