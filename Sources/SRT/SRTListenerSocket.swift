internal import CSRT
import Foundation

/// Owns the listening SRT socket: options every accepted connection inherits (live mode,
/// non-blocking, latency, encryption, bandwidth), bind, listen and the listen callback.
final class SRTListenerSocket {
    let id: SRTSOCKET
    private(set) var port = 0
    /// Kept while the listener lives: libsrt's callback holds an unretained pointer to it.
    private var admission: SRTAdmission?

    init(host: String, port: Int, configuration: SRTConfiguration) throws(SRTError) {
        try SRTLibrary.start()
        id = srt_create_socket()
        guard id != csrt_INVALID_SOCK() else { throw SRTError.last("srt_create_socket") }
        try set(SRTO_RCVSYN, 0)
        try set(SRTO_SNDSYN, 0)
        try set(SRTO_LATENCY, Int32(configuration.latencyMs))
        if let passphrase = configuration.passphrase {
            try SRTError.check(csrt_set_string(id, SRTO_PASSPHRASE, passphrase), "srt_setsockflag(SRTO_PASSPHRASE)")
            try set(SRTO_PBKEYLEN, Int32(configuration.pbkeylen))
        }
        if let maxBandwidth = configuration.maxBandwidth {
            try SRTError.check(csrt_set_int64(id, SRTO_MAXBW, maxBandwidth), "srt_setsockflag(SRTO_MAXBW)")
        }
        try bind(host: host, port: port)
    }

    private func set(_ option: SRT_SOCKOPT, _ value: Int32) throws(SRTError) {
        try SRTError.check(csrt_set_int(id, option, value), "srt_setsockflag(\(option.rawValue))")
    }

    private func bind(host: String, port: Int) throws(SRTError) {
        var storage = sockaddr_storage()
        var length: Int32
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let name = bare == "localhost" ? "127.0.0.1" : bare
        if inet_pton(AF_INET, name, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr = v4
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = Int32(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, name, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = v6
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = Int32(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw SRTError(operation: "bind", code: -1, message: "'\(host)' is not an IP address")
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_bind(id, $0, length) }
        }
        try SRTError.check(bound, "srt_bind")
        var actual = sockaddr_storage()
        var actualLength = Int32(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_getsockname(id, $0, &actualLength) }
        }
        try SRTError.check(named, "srt_getsockname")
        self.port = SocketAddressText.port(of: actual)
    }

    /// Installs the admission's listen callback and starts listening.
    func listen(admission: SRTAdmission) throws(SRTError) {
        self.admission = admission
        try SRTError.check(srt_listen_callback(id, SRTAdmission.callback, admission.opaque), "srt_listen_callback")
        try SRTError.check(srt_listen(id, 128), "srt_listen")
    }

    /// Accepts one pending connection without waiting; nil when none is pending.
    func accept() -> (SRTSOCKET, String)? {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let socket = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_accept(id, $0, &length) }
        }
        guard socket != csrt_INVALID_SOCK() else { return nil }
        return (socket, SocketAddressText.describe(storage))
    }

    deinit {
        srt_close(id)
    }
}

/// Socket addresses as text for logs and access requests.
enum SocketAddressText {
    static func describe(_ storage: sockaddr_storage) -> String {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var addr = address.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
                    return "\(text(of: buffer)):\(UInt16(bigEndian: address.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var addr = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
                    return "[\(text(of: buffer))]:\(UInt16(bigEndian: address.pointee.sin6_port))"
                }
            }
        default:
            return "?"
        }
    }

    private static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func describe(_ address: UnsafePointer<sockaddr>?) -> String {
        guard let address else { return "?" }
        var storage = sockaddr_storage()
        let size = address.pointee.sa_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: size)) }
        return describe(storage)
    }

    static func port(of storage: sockaddr_storage) -> Int {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return 0
        }
    }
}
