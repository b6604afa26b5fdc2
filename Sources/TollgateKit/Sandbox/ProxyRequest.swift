/// The head of one request a sandboxed server sends its proxy: `CONNECT host:port` (a tunnel,
/// for HTTPS), or a plain HTTP request in absolute form (`GET http://host/path HTTP/1.1`), which
/// is sent on in origin form with the URL's host as `Host` and `Connection: close`. Pure: bytes in,
/// a request or a refusal out.
struct ProxyRequest: Equatable {
    /// The method (`CONNECT`, `GET`, …).
    var method: String
    /// The host asked for, canonical (see ``URLHost``).
    var host: URLHost
    /// The port asked for (80 for an `http://` URL without one).
    var port: UInt16
    /// For a plain HTTP request, the head to send upstream; nil for `CONNECT`.
    var forwardedHead: [UInt8]?

    /// The most bytes of a request head.
    static let maxHeadBytes = 16 * 1024

    /// `host:port` as asked for (IPv6 in brackets).
    var target: String { Self.targetText(host, port) }

    /// Why a request is refused before any connection: an HTTP status and one sentence.
    struct Refusal: Error, Equatable {
        var status: Int
        var reason: String
    }

    /// Where the head ends in `bytes` (the index after its blank line), or nil while incomplete.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0D && bytes[index - 2] == 0x0A && bytes[index - 3] == 0x0D {
            return index + 1
        }
        return nil
    }

    /// Reads a complete head (up to and including its blank line).
    static func parse(_ head: ArraySlice<UInt8>) -> Result<ProxyRequest, Refusal> {
        var lines = split(head)
        guard !lines.isEmpty else { return .failure(Refusal(status: 400, reason: "an empty request")) }
        let requestLine = lines.removeFirst()
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, isToken(parts[0]), parts[2].starts(with: Array("HTTP/1.".utf8)), parts[2].count == 8 else {
            return .failure(Refusal(status: 400, reason: "not an HTTP/1.x request line"))
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = parts[1]
        if parts[0].elementsEqual("CONNECT".utf8) {
            guard case .success(let host) = URLHost.parseHostPort(target), let port = port(of: target), port > 0 else {
                return .failure(Refusal(status: 400, reason: "CONNECT needs host:port"))
            }
            return .success(ProxyRequest(method: method, host: host, port: port, forwardedHead: nil))
        }
        let text = String(decoding: target, as: UTF8.self)
        guard target.starts(with: Array("http://".utf8)) || target.starts(with: Array("HTTP://".utf8)) else {
            return .failure(Refusal(status: 400, reason: "a proxy request names an http:// URL (https goes through CONNECT)"))
        }
        let host: URLHost
        switch URLHost.parse(text) {
        case .failure(let problem): return .failure(Refusal(status: 400, reason: "the URL \(problem.message)"))
        case .success(let parsed): host = parsed
        }
        let afterScheme = target.dropFirst("http://".count)
        let authorityEnd = afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let hostPort = authority.lastIndex(of: UInt8(ascii: "@")).map { authority[($0 + 1)...] } ?? authority
        let port = port(of: hostPort) ?? 80
        guard port > 0 else { return .failure(Refusal(status: 400, reason: "the URL's port is 0")) }
        var path = Array(afterScheme[authorityEnd...].prefix { $0 != UInt8(ascii: "#") })
        if path.first != UInt8(ascii: "/") { path.insert(UInt8(ascii: "/"), at: 0) }
        var forwarded = Array(parts[0]) + [UInt8(ascii: " ")] + path + [UInt8(ascii: " ")] + Array(parts[2]) + crlf
        forwarded += Array("Host: ".utf8) + Array(hostPort) + crlf
        let dropped = hopByHop(lines)
        for line in lines {
            guard let name = headerName(line) else { return .failure(Refusal(status: 400, reason: "a malformed header line")) }
            if dropped.contains(name) { continue }
            forwarded += Array(line) + crlf
        }
        forwarded += Array("Connection: close".utf8) + crlf + crlf
        return .success(ProxyRequest(method: method, host: host, port: port, forwardedHead: forwarded))
    }

    /// The response that refuses a request: `status`, and the reason as text.
    static func refusalResponse(status: Int, reason: String) -> [UInt8] {
        let titles = [400: "Bad Request", 403: "Forbidden", 431: "Request Header Fields Too Large", 502: "Bad Gateway",
                      503: "Service Unavailable", 504: "Gateway Timeout"]
        let body = Array("Tollgate sandbox: \(reason)\n".utf8)
        return Array("HTTP/1.1 \(status) \(titles[status] ?? "Error")\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
    }

    /// What opens a `CONNECT` tunnel.
    static let established = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)

    private static let crlf: [UInt8] = [0x0D, 0x0A]

    /// The head's lines without their CRLF, up to the blank line.
    private static func split(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == 0x0A {
                var end = index
                if end > start && head[end - 1] == 0x0D { end -= 1 }
                if end == start { break }
                lines.append(head[start..<end])
                start = index + 1
            }
            index += 1
        }
        return lines
    }

    /// The port after the last `:` (outside brackets), nil when there is none or it is not a number up to 65535.
    private static func port(of hostPort: ArraySlice<UInt8>) -> UInt16? {
        guard let colon = hostPort.lastIndex(of: UInt8(ascii: ":")), !hostPort[colon...].contains(UInt8(ascii: "]")) else { return nil }
        let digits = hostPort[(colon + 1)...]
        guard (1...5).contains(digits.count), digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(String(decoding: digits, as: UTF8.self)), value <= 65535 else { return nil }
        return UInt16(value)
    }

    /// A header's name, lowercased, or nil when the line is not `name: value`.
    private static func headerName(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex, isToken(line[..<colon]) else { return nil }
        return line[..<colon].map(URLHost.lowercased)
    }

    /// Headers not sent on: those of the proxy hop, the client's `Host` (the URL's is sent), and
    /// the ones the request's `Connection` header names.
    private static func hopByHop(_ lines: [ArraySlice<UInt8>]) -> [[UInt8]] {
        var names = ["host", "connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "te", "trailer",
                     "upgrade"].map { Array($0.utf8) }
        for line in lines where headerName(line) == Array("connection".utf8) {
            let value = line[(line.firstIndex(of: UInt8(ascii: ":"))! + 1)...]
            for token in value.split(separator: UInt8(ascii: ",")) {
                names.append(token.filter { $0 != UInt8(ascii: " ") && $0 != 0x09 }.map(URLHost.lowercased))
            }
        }
        return names
    }

    /// Whether `bytes` is an HTTP token (RFC 9110 tchar), non-empty.
    private static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
