import Foundation

/// One blocking HTTP/1.1 request over a plain TCP socket (`Connection: close`), enough for a
/// WHEP POST and DELETE: status, headers (lowercased names) and body, chunked or not.
struct HTTPResponse {
    var status: Int
    var headers: [String: String]
    var body: String
}

enum HTTPRequest {
    static func send(
        method: String, host: String, port: Int, path: String, headers: [String: String] = [:], body: String = "",
        timeout: TimeInterval = 10
    ) throws -> HTTPResponse {
        try parse(try exchange(method: method, host: host, port: port, path: path, headers: headers, body: body, timeout: timeout))
    }

    /// A GET whose body is bytes (HLS segments), not text: status and body (Content-Length framed).
    static func fetch(host: String, port: Int, path: String, timeout: TimeInterval = 10) throws -> (status: Int, body: [UInt8]) {
        let bytes = try exchange(method: "GET", host: host, port: port, path: path, headers: [:], body: "", timeout: timeout)
        guard
            let end = bytes.indices.dropLast(3).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 })
        else {
            throw LoadTestError("truncated HTTP response")
        }
        let statusLine = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n").first ?? ""
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw LoadTestError("bad HTTP status line")
        }
        return (status, Array(bytes[(end + 4)...]))
    }

    private static func exchange(
        method: String, host: String, port: Int, path: String, headers: [String: String], body: String,
        timeout: TimeInterval
    ) throws -> [UInt8] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else { throw LoadTestError("cannot resolve \(host)") }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw LoadTestError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw LoadTestError("connect \(host):\(port): \(String(cString: strerror(errno)))")
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n" + body).utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LoadTestError("send to \(host):\(port): \(String(cString: strerror(errno)))") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw LoadTestError("no HTTP response from \(host):\(port) within \(Int(timeout)) s") }
            received += chunk[0..<n]
        }
        return received
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPResponse {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw LoadTestError("truncated HTTP response") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusFields = lines.first?.split(separator: " ") ?? []
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else { throw LoadTestError("bad HTTP status line") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound].split(separator: ";").first ?? "", radix: 16), size > 0
        {
            let start = lineEnd.upperBound
            let utf8 = rest[start...].utf8
            guard utf8.count >= size, let end = utf8.index(utf8.startIndex, offsetBy: size, limitedBy: utf8.endIndex) else { break }
            out += String(Substring(rest[start..<end]))
            rest = rest[end...].dropFirst(2)
        }
        return out
    }
}
