#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 client for one host and port: POSTs a body with `Content-Length`, keeps the
/// connection for the next request unless the server closes it, and gives up on any step at a
/// deadline (non-blocking socket, `poll`). Used by the exporter thread only.
final class HTTPClient {
    let host: String
    let port: UInt16
    private var descriptor: Int32 = -1

    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    deinit { disconnect() }

    /// POSTs `body` to `path` within `timeoutMilliseconds`; returns when a 2xx answer came.
    func post(path: String, hostHeader: String, contentType: String, headers: [HTTPHeader], body: [UInt8],
              timeoutMilliseconds: Int64) -> Result<Int, HTTPFailure> {
        let deadline = SystemClock.monotonicMilliseconds() + timeoutMilliseconds
        var request = Array("POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n".utf8)
        request += Array("Connection: keep-alive\r\nUser-Agent: tollgate/\(Usage.version)\r\n".utf8)
        for header in headers { request += Array("\(header.name): \(header.value)\r\n".utf8) }
        request += [0x0D, 0x0A]
        request += body
        // A kept connection the server closed meanwhile fails at once: then one fresh try.
        let reused = descriptor >= 0
        let first = exchange(request, deadline: deadline)
        if reused, case .failure(.broken) = first, SystemClock.monotonicMilliseconds() < deadline {
            return exchange(request, deadline: deadline)
        }
        return first
    }

    private func exchange(_ request: [UInt8], deadline: Int64) -> Result<Int, HTTPFailure> {
        if descriptor < 0, let failure = open(deadline: deadline) { return .failure(failure) }
        if let failure = transmit(request, deadline: deadline) {
            disconnect()
            return .failure(failure)
        }
        switch receive(deadline: deadline) {
        case .success(let (status, keepAlive)):
            if !keepAlive { disconnect() }
            return (200...299).contains(status) ? .success(status) : .failure(.status(status))
        case .failure(let failure):
            disconnect()
            return .failure(failure)
        }
    }

    func disconnect() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// Milliseconds left before `deadline`, for `poll` (0 when past it).
    private static func remaining(_ deadline: Int64) -> Int32 {
        Int32(clamping: max(0, deadline - SystemClock.monotonicMilliseconds()))
    }

    /// Waits for `events` on the socket until `deadline`; false on timeout.
    private func wait(_ events: Int32, deadline: Int64) -> Bool {
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, Self.remaining(deadline))
            if ready > 0 { return true }
            if ready == 0 { return false }
            if errno != EINTR { return false }
        }
    }

    private func open(deadline: Int64) -> HTTPFailure? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .unreachable("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(first) }
        var failure = HTTPFailure.unreachable("no address for \(host)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let opened = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard opened >= 0 else { continue }
            descriptor = opened
            if connect(opened, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return nil }
            guard errno == EINPROGRESS else {
                failure = .unreachable(String(cString: strerror(errno)))
                disconnect()
                continue
            }
            guard wait(Int32(POLLOUT), deadline: deadline) else {
                disconnect()
                return .timedOut
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(opened, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 {
                var one: Int32 = 1
                setsockopt(opened, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return nil
            }
            failure = .unreachable(String(cString: strerror(error)))
            disconnect()
        }
        return failure
    }

    private func transmit(_ bytes: [UInt8], deadline: Int64) -> HTTPFailure? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard wait(Int32(POLLOUT), deadline: deadline) else { return .timedOut }
                continue
            }
            return .broken("the connection broke while sending (\(String(cString: strerror(errno))))")
        }
        return nil
    }

    private func receive(deadline: Int64) -> Result<(Int, Bool), HTTPFailure> {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                    return .failure(.broken("the connection broke while receiving (\(String(cString: strerror(errno))))"))
                }
                guard wait(Int32(POLLIN), deadline: deadline) else { return .failure(.timedOut) }
                continue
            }
            if count > 0 { received += chunk[..<count] }
            if count == 0 && received.isEmpty { return .failure(.broken("the collector closed the connection without answering")) }
            switch HTTPResponseReader.read(received, closed: count == 0) {
            case .complete(let status, let keepAlive): return .success((status, keepAlive && count > 0))
            case .malformed(let why): return .failure(.broken("the collector's answer is not usable HTTP: \(why)"))
            case .incomplete: continue
            }
        }
    }
}
