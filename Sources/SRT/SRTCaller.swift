internal import CSRT
import Foundation
import Synchronization

/// A blocking SRT caller socket for clients of the relay (the load generator's SRT players):
/// connects to `host:port` with a streamid and receives live-mode messages.
/// One thread uses one caller; ``close()`` may be called from another to end a receive. The
/// socket is closed exactly once: by ``close()`` or, failing that, when the caller goes away.
public final class SRTCaller: @unchecked Sendable {
    private let id: SRTSOCKET
    private let closed = Atomic<Bool>(false)

    /// Connects (blocking, up to `connectTimeoutMs`) in live mode with the given streamid.
    public init(
        host: String, port: Int, streamID: String, latencyMs: Int = 200, passphrase: String? = nil,
        connectTimeoutMs: Int = 5000, receiveTimeoutMs: Int = 1000
    ) throws(SRTError) {
        try SRTLibrary.start()
        id = srt_create_socket()
        guard id != csrt_INVALID_SOCK() else { throw SRTError.last("srt_create_socket") }
        do throws(SRTError) {
            try SRTError.check(csrt_set_int(id, SRTO_LATENCY, Int32(latencyMs)), "SRTO_LATENCY")
            try SRTError.check(csrt_set_int(id, SRTO_CONNTIMEO, Int32(connectTimeoutMs)), "SRTO_CONNTIMEO")
            try SRTError.check(csrt_set_int(id, SRTO_RCVTIMEO, Int32(receiveTimeoutMs)), "SRTO_RCVTIMEO")
            try SRTError.check(csrt_set_string(id, SRTO_STREAMID, streamID), "SRTO_STREAMID")
            if let passphrase { try SRTError.check(csrt_set_string(id, SRTO_PASSPHRASE, passphrase), "SRTO_PASSPHRASE") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
                throw SRTError(operation: "connect", code: -1, message: "'\(host)' is not an IPv4 address")
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_connect(id, $0, Int32(MemoryLayout<sockaddr_in>.size)) }
            }
            try SRTError.check(connected, "srt_connect")
        } catch {
            srt_close(id)
            throw error
        }
    }

    public enum Received: Equatable {
        case bytes(Int)
        /// Nothing within the receive timeout.
        case timedOut
        /// The connection is broken or closed.
        case closed
    }

    /// Receives one message into `buffer` (at least 1500 bytes).
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Received {
        let count = srt_recvmsg(id, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count))
        if count >= 0 { return .bytes(Int(count)) }
        return srt_getlasterror(nil) == csrt_ETIMEOUT() || srt_getlasterror(nil) == csrt_EASYNCRCV() ? .timedOut : .closed
    }

    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        srt_close(id)
    }

    deinit { close() }
}
