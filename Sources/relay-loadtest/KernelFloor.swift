import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the kernel alone charges a sender on this machine: N loopback TCP connections, each
/// sent one `write` per window of the bytes a stream carries in that window (from one shared
/// buffer, no per-message work at all), read by a child process as players would. The sender's
/// CPU per delivered GB is a floor for any relay that writes that often.
struct KernelFloor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor",
        abstract: "Measure the kernel's CPU per delivered GB for one write per player per window (no relay logic)."
    )

    @Option(help: "Connections (players).")
    var connections = 200

    @Option(name: .customLong("window-ms"), help: "Window between writes to one player, in ms; repeat to sweep.")
    var windows: [Int] = [30]

    @Option(help: "Stream rate per player in kbit/s (bytes per write = rate x window).")
    var rateKbps = 1_920

    @Option(help: "Seconds measured per window.")
    var duration = 10.0

    func run() throws {
        let listener = try FloorSocket.listen()
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        reader.arguments = ["floor-reader", "--port", "\(listener.port)", "--connections", "\(connections)"]
        try reader.run()
        defer {
            reader.terminate()
            reader.waitUntilExit()
        }
        var fds: [Int32] = []
        for _ in 0..<connections { fds.append(try FloorSocket.accept(listener.fd)) }
        close(listener.fd)
        print("| window ms | bytes per write | writes/s | delivered Mbit/s | CPU-s (user + sys) | CPU-s per GB |")
        print("|---|---|---|---|---|---|")
        for window in windows {
            let perWrite = rateKbps * 1000 / 8 * window / 1000
            let payload = [UInt8](repeating: 0x5A, count: perWrite)
            let result = try send(payload, every: window, to: fds)
            let gb = Double(result.bytes) / 1e9
            let cpu = result.user + result.system
            print(
                String(
                    format: "| %d | %d | %.0f | %.1f | %.2f (%.2f + %.2f) | %.3f |",
                    window, perWrite, Double(result.writes) / duration, Double(result.bytes) * 8 / 1e6 / duration,
                    cpu, result.user, result.system, cpu / gb
                ))
        }
        for fd in fds { close(fd) }
    }

    /// Writes `payload` to every connection once per window for `duration`; the sender's CPU.
    private func send(_ payload: [UInt8], every window: Int, to fds: [Int32]) throws -> (writes: Int, bytes: Int, user: Double, system: Double) {
        let start = FloorSocket.cpu()
        let began = DispatchTime.now().uptimeNanoseconds
        let end = began + UInt64(duration * 1e9)
        var next = began
        var writes = 0
        var bytes = 0
        while next < end {
            for fd in fds {
                try payload.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                        guard n > 0 else { throw ValidationError("write failed: errno \(errno)") }
                        offset += n
                    }
                }
                writes += 1
                bytes += payload.count
            }
            next += UInt64(window) * 1_000_000
            let now = DispatchTime.now().uptimeNanoseconds
            if next > now { usleep(useconds_t((next - now) / 1000)) }
        }
        let stop = FloorSocket.cpu()
        return (writes, bytes, stop.user - start.user, stop.system - start.system)
    }
}

/// The players' side of `floor`: connects and reads everything, as a player process would.
struct KernelFloorReader: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "floor-reader", shouldDisplay: false)

    @Option var port: Int
    @Option var connections: Int

    func run() throws {
        var polls: [pollfd] = []
        for _ in 0..<connections {
            polls.append(pollfd(fd: try FloorSocket.connect(port: port), events: Int16(POLLIN), revents: 0))
        }
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var open = connections
        while open > 0 {
            guard poll(&polls, nfds_t(polls.count), -1) > 0 else { continue }
            for i in polls.indices where polls[i].revents != 0 && polls[i].fd >= 0 {
                let n = buffer.withUnsafeMutableBytes { read(polls[i].fd, $0.baseAddress!, $0.count) }
                if n <= 0 {
                    close(polls[i].fd)
                    polls[i].fd = -1
                    open -= 1
                }
            }
        }
    }
}

enum FloorSocket {
    static func listen() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else { throw ValidationError("listen failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func accept(_ listener: Int32) throws -> Int32 {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { throw ValidationError("accept failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: port)
        let done = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard done == 0 else { throw ValidationError("connect failed: errno \(errno)") }
        return fd
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// This process's user and system CPU seconds.
    static func cpu() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }
}
