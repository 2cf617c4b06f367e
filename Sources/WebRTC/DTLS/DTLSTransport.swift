import COpenSSL
import NIOCore

/// One DTLS 1.2 association (one per WebRTC session), sans-I/O: OpenSSL reads from and writes to
/// two memory BIOs, and the caller moves datagrams in and out.
///
/// Feed every received DTLS datagram to `handle(datagram:now:)` and send the datagrams it returns;
/// act on its events (handshake completed with SRTP keys, close_notify, failure). While
/// `retransmissionDeadline` is non-nil, call `handleTimeout(now:)` once it has passed so lost
/// flights are resent. The deadline is kept on the clock the caller gives (`now`), never asked of
/// OpenSSL; but OpenSSL 3.0 has no clock hook, so `DTLSv1_handle_timeout` (and every read) still
/// checks its own timer, started with the same duration: a flight is resent once both agree.
/// Not thread-safe: drive it from one event loop.
///
/// Invalid records (garbage, bad MACs, truncated records) are silently dropped, as RFC 6347
/// 4.1.2.7 asks; protocol violations that OpenSSL deems fatal end in a `.failed` event.
final class DTLSTransport {
    /// Where the association is.
    enum State: Sendable, Hashable {
        /// A client before `start()`.
        case idle
        case handshaking
        case connected
        /// close_notify sent or received.
        case closed
        case failed
    }

    /// Something the session must act on.
    enum Event {
        /// The handshake completed and SRTP keys were exported with the selected profile. The
        /// session must still check `peerCertificateFingerprint` against the SDP.
        case handshakeCompleted(SRTPKeyingMaterial)
        /// Decrypted application data (SCTP for data channels).
        case applicationData(ByteBuffer)
        /// The peer closed the association.
        case closeNotifyReceived
        /// A fatal error or alert; the association is dead.
        case failed(DTLSError)
    }

    /// What one call produced: datagrams to send (in order) and events.
    struct Output {
        var datagrams: [ByteBuffer] = []
        var events: [Event] = []
    }

    /// The most application data one `SSL_read` returns (a DTLS record's plaintext limit).
    static let maximumRecordPlaintext = 16_384
    /// Larger datagrams are dropped unread (no UDP datagram is larger).
    static let maximumInputDatagramSize = 65_535

    let role: DTLSRole
    let context: DTLSContext
    /// Datagrams we send are at most this many bytes (the DTLS link MTU).
    let maximumDatagramSize: Int
    private(set) var state: State
    /// The SRTP keys, once the handshake has completed.
    private(set) var keyingMaterial: SRTPKeyingMaterial?
    /// When the last flight is to be sent again, on the caller's clock: the `now` of the call that
    /// started OpenSSL's timer plus the duration the timer callback gave it; nil with no timer.
    private(set) var retransmissionDeadline: NIODeadline?

    let ssl: OwnedSSL
    /// Borrowed from `ssl` (which frees them).
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private let allocator: ByteBufferAllocator

    /// A new association in `role`. `maximumDatagramSize` is the link MTU handshake flights are
    /// fragmented to; `initialRetransmissionTimeout` is the first flight timer (doubled on each
    /// retransmission up to 60 s, RFC 6347 4.2.4.1).
    init(
        context: DTLSContext,
        role: DTLSRole,
        maximumDatagramSize: Int = 1200,
        initialRetransmissionTimeout: Duration = .seconds(1),
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(DTLSError) {
        ERR_clear_error()
        let read = try OwnedBIO.memory()
        let write = try OwnedBIO.memory()
        let ssl = try OwnedSSL(context: context.context.pointer)
        let bios = ssl.attach(read: read, write: write)
        self.role = role
        self.context = context
        self.maximumDatagramSize = maximumDatagramSize
        self.state = role == .server ? .handshaking : .idle
        self.ssl = ssl
        self.readBIO = bios.read
        self.writeBIO = bios.write
        self.allocator = allocator
        try configure(initialRetransmissionTimeout: initialRetransmissionTimeout)
    }

    private func configure(initialRetransmissionTimeout: Duration) throws(DTLSError) {
        let ssl = self.ssl.pointer
        _ = SSL_set_options(ssl, copenssl_op_no_query_mtu())
        guard copenssl_dtls_set_link_mtu(ssl, maximumDatagramSize) == 1 else {
            throw DTLSError.fromErrorQueue("DTLS_set_link_mtu(\(maximumDatagramSize))")
        }
        // The timer callback cannot capture: it finds the initial timeout in the SSL's app data
        // slot (index 0), stored as an integer bit pattern, not a pointer, and leaves each
        // duration it gives OpenSSL in slot 1 for `updateRetransmissionDeadline(now:)`.
        let initial = initialRetransmissionTimeout.components
        let microseconds = max(1_000, min(60_000_000, Int(initial.seconds) * 1_000_000 + Int(initial.attoseconds / 1_000_000_000_000)))
        guard SSL_set_ex_data(ssl, 0, UnsafeMutableRawPointer(bitPattern: microseconds)) == 1 else {
            throw DTLSError.fromErrorQueue("SSL_set_ex_data")
        }
        DTLS_set_timer_cb(ssl) { ssl, previous in
            let duration: UInt32
            if previous == 0 {
                let initial = UInt(bitPattern: SSL_get_ex_data(ssl, 0))
                duration = initial == 0 ? 1_000_000 : UInt32(truncatingIfNeeded: initial)
            } else {
                duration = min(previous &* 2, 60_000_000)
            }
            _ = SSL_set_ex_data(ssl, DTLSTransport.startedTimerSlot, UnsafeMutableRawPointer(bitPattern: UInt(duration)))
            return duration
        }
        switch role {
        case .server: SSL_set_accept_state(ssl)
        case .client: SSL_set_connect_state(ssl)
        }
    }

    /// Client only: the first flight (ClientHello), sent at `now`. A server returns nothing (it waits for one).
    func start(now: NIODeadline) throws(DTLSError) -> [ByteBuffer] {
        guard role == .client, state == .idle else { return [] }
        state = .handshaking
        var output = Output()
        ERR_clear_error()
        advanceHandshake(into: &output)
        for case .failed(let error) in output.events {
            throw error
        }
        let datagrams = output.datagrams + drainDatagrams()
        updateRetransmissionDeadline(now: now)
        return datagrams
    }

    /// Feeds one datagram received at `now`, advances the handshake or reads application data, and
    /// returns what to send and what happened. After `.closed` or `.failed` datagrams are ignored.
    func handle(datagram: ByteBuffer, now: NIODeadline) -> Output {
        var output = Output()
        guard state == .handshaking || state == .connected,
            datagram.readableBytes > 0, datagram.readableBytes <= Self.maximumInputDatagramSize
        else { return output }
        ERR_clear_error()
        let written = datagram.withUnsafeReadableBytes { BIO_write(readBIO, $0.baseAddress, Int32($0.count)) }
        guard written == datagram.readableBytes else {
            fail(DTLSError.fromErrorQueue("BIO_write"), into: &output)
            return output
        }
        if state == .handshaking {
            advanceHandshake(into: &output)
        }
        if state == .connected {
            readApplicationData(into: &output)
        }
        // Keep datagram boundaries: whatever OpenSSL left unread of this datagram is dropped.
        if BIO_ctrl_pending(readBIO) > 0 {
            _ = copenssl_bio_reset(readBIO)
        }
        output.datagrams += drainDatagrams()
        updateRetransmissionDeadline(now: now)
        return output
    }

    /// Sends close_notify (if the association is up) and moves to `.closed`.
    func close() -> [ByteBuffer] {
        guard state == .connected || state == .handshaking else { return [] }
        ERR_clear_error()
        if state == .connected {
            _ = SSL_shutdown(ssl.pointer)
        }
        ERR_clear_error()
        state = .closed
        retransmissionDeadline = nil
        return drainDatagrams()
    }

    /// Encrypts `data` into one DTLS record (for SCTP). It must fit one datagram with the record
    /// overhead, so keep it under `maximumDatagramSize - 100` or so.
    func writeApplicationData(_ data: ByteBuffer) throws(DTLSError) -> [ByteBuffer] {
        guard state == .connected else { throw .handshakeNotCompleted }
        let maximum = Self.maximumRecordPlaintext
        guard data.readableBytes > 0, data.readableBytes <= maximum else {
            throw .applicationDataTooLarge(size: data.readableBytes, maximum: maximum)
        }
        ERR_clear_error()
        let written = data.withUnsafeReadableBytes { SSL_write(ssl.pointer, $0.baseAddress, Int32($0.count)) }
        guard written == data.readableBytes else {
            let error = DTLSError.fromErrorQueue("SSL_write")
            state = .failed
            throw error
        }
        return drainDatagrams()
    }

    // MARK: Retransmission

    /// Resends the last flight once `now` (the caller's clock) has passed `retransmissionDeadline`;
    /// before it, nothing reaches OpenSSL. OpenSSL then checks its own timer too (no clock hook in
    /// 3.0): should it not have expired yet, nothing is sent and the deadline stays, so the next
    /// call tries again. Fails after OpenSSL's retransmission limit.
    func handleTimeout(now: NIODeadline) -> Output {
        var output = Output()
        guard state == .handshaking || state == .connected, let deadline = retransmissionDeadline, now >= deadline else {
            return output
        }
        ERR_clear_error()
        if copenssl_dtls_handle_timeout(ssl.pointer) < 0 {
            fail(DTLSError.fromErrorQueue("DTLSv1_handle_timeout"), into: &output)
        }
        output.datagrams += drainDatagrams()
        updateRetransmissionDeadline(now: now)
        return output
    }

    /// The timer callback's slot for the duration (µs) of a timer OpenSSL started in the last call.
    private static let startedTimerSlot: Int32 = 1

    /// After a call made at `now`: a timer OpenSSL started (or restarted on a retransmission) in
    /// it runs from `now` for the duration the callback gave; a stopped timer clears the deadline.
    private func updateRetransmissionDeadline(now: NIODeadline) {
        let started = UInt(bitPattern: SSL_get_ex_data(ssl.pointer, Self.startedTimerSlot))
        if started != 0 { _ = SSL_set_ex_data(ssl.pointer, Self.startedTimerSlot, nil) }
        guard state == .handshaking || state == .connected, copenssl_dtls_timer_running(ssl.pointer) == 1 else {
            retransmissionDeadline = nil
            return
        }
        if started != 0 {
            retransmissionDeadline = now + .microseconds(Int64(started))
        } else if retransmissionDeadline == nil {
            retransmissionDeadline = now  // a timer this transport did not see start: check it at once
        }
    }

    // MARK: Internals

    private func advanceHandshake(into output: inout Output) {
        let result = SSL_do_handshake(ssl.pointer)
        if result == 1 {
            completeHandshake(into: &output)
        } else {
            handleFailedCall(result, operation: "SSL_do_handshake", into: &output)
        }
        if state == .failed {
            output.datagrams += drainDatagrams()  // a fatal alert OpenSSL queued
        }
    }

    private func completeHandshake(into output: inout Output) {
        state = .connected
        do {
            let keys = try exportSRTPKeys()
            keyingMaterial = keys
            output.events.append(.handshakeCompleted(keys))
        } catch {
            fail(error, into: &output)
        }
    }

    private func readApplicationData(into output: inout Output) {
        while state == .connected {
            var buffer = allocator.buffer(capacity: Self.maximumRecordPlaintext)
            var result: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumRecordPlaintext) { bytes in
                result = SSL_read(ssl.pointer, bytes.baseAddress, Int32(bytes.count))
                return max(0, Int(result))
            }
            guard result > 0 else {
                handleFailedCall(result, operation: "SSL_read", into: &output)
                return
            }
            output.events.append(.applicationData(buffer))
        }
    }

    /// Classifies a non-success return of an SSL call: retry, close_notify, or fatal.
    private func handleFailedCall(_ result: Int32, operation: String, into output: inout Output) {
        switch SSL_get_error(ssl.pointer, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            ERR_clear_error()
        case SSL_ERROR_ZERO_RETURN:
            state = .closed
            output.events.append(.closeNotifyReceived)
        default:
            fail(DTLSError.fromErrorQueue(operation), into: &output)
        }
    }

    private func fail(_ error: DTLSError, into output: inout Output) {
        state = .failed
        retransmissionDeadline = nil
        output.events.append(.failed(error))
    }

    /// Everything OpenSSL wrote, split into datagrams at record boundaries.
    private func drainDatagrams() -> [ByteBuffer] {
        let pending = Int(clamping: BIO_ctrl_pending(writeBIO))
        guard pending > 0 else { return [] }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
            Int(max(0, BIO_read(writeBIO, bytes.baseAddress, Int32(clamping: pending))))
        }
        return DTLSRecordPacker.datagrams(from: buffer, maximumDatagramSize: maximumDatagramSize)
    }
}

@available(*, unavailable)
extension DTLSTransport: Sendable {}
