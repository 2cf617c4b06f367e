import Foundation
import NIOCore
import ProcessTestSupport
import RTMP

/// A minimal blocking RTMP client over a plain socket, for what real players cannot do on
/// purpose: stall without reading, send garbage, stop mid-handshake.
final class RawRTMPClient {
    let fd: Int32

    /// `source` binds the local end to another loopback address (127.0.0.2, …) so a test can
    /// act as several IP addresses.
    init(port: Int, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw TestFailure("bind \(source) failed: \(errno)")
            }
        }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect failed")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send failed: \(errno)") }
            offset += n
        }
    }

    func send(_ buffer: ByteBuffer) throws { try send(Array(buffer.readableBytesView)) }

    /// Reads exactly `count` bytes, or throws on EOF/time-out.
    func receive(exactly count: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = result[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw TestFailure("receive ended after \(offset) of \(count) bytes") }
            offset += n
        }
        return result
    }

    /// True when the server closed the connection (reads EOF or reset) within `timeout` seconds.
    func isClosedByServer(within seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var scratch = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        while Date() < deadline {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
        return false
    }

    func handshake() throws {
        var c0c1 = [UInt8](repeating: 0, count: 1537)
        c0c1[0] = 3
        for i in 9..<1537 { c0c1[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try send(c0c1)
        let s = try receive(exactly: 3073)
        guard s[0] == 3 else { throw TestFailure("bad S0") }
        try send(Array(s[1...1536]))
    }

    func command(_ values: [AMF0Value], streamID: UInt32 = 0) throws {
        var payload = ByteBuffer()
        payload.writeAMF0(values)
        var out = ByteBuffer()
        RTMPChunkEncoder(chunkSize: 128).encode(
            RTMPMessage(type: .amf0Command, streamID: streamID, payload: payload), csid: 3, into: &out
        )
        try send(out)
    }

    /// connect + createStream + play, without reading the answers.
    func play(app: String, stream: String) throws {
        try command([.string("connect"), .number(1), .object(["app": .string(app), "tcUrl": .string("rtmp://127.0.0.1/\(app)")])])
        try command([.string("createStream"), .number(2), .null])
        try command([.string("play"), .number(0), .null, .string(stream), .number(-2)], streamID: 1)
    }
}
