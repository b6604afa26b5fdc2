#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected, non-blocking, close-on-exec stream socket to the store (TCP with `TCP_NODELAY`,
/// or a Unix socket), read and written against deadlines on the monotonic clock. Not thread-safe:
/// its owner serializes the calls. Closing it is explicit (``close()``), so a connection that
/// timed out is dropped at once and never reused.
final class StoreSocket {
    private var fd: Int32
    /// What one read takes, kept from read to read.
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Closes the socket (idempotent).
    func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    /// Connects to `endpoint`, giving up at `deadline` (monotonic nanoseconds).
    static func connect(_ endpoint: StoreEndpoint, deadline: Int64) throws(StoreError) -> StoreSocket {
        switch endpoint.address {
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw StoreError(.unreachable, "the socket path \(path) is too long")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
            return try withUnsafePointer(to: &address) { pointer throws(StoreError) -> StoreSocket in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress throws(StoreError) -> StoreSocket in
                    try open(family: AF_UNIX, address: socketAddress, length: length, deadline: deadline, shown: path)
                }
            }
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                throw StoreError(.unreachable, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var lastError = StoreError(.unreachable, "\(host):\(port) has no address")
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let current = entry {
                do throws(StoreError) {
                    let socket = try open(family: current.pointee.ai_family, address: current.pointee.ai_addr,
                                          length: current.pointee.ai_addrlen, deadline: deadline, shown: "\(host):\(port)")
                    var on: Int32 = 1
                    _ = setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                    return socket
                } catch {
                    lastError = error
                    if error.kind == .timedOut { throw error }
                }
                entry = current.pointee.ai_next
            }
            throw lastError
        }
    }

    /// A socket of `family` connected to `address` by `deadline`.
    private static func open(family: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, deadline: Int64, shown: String) throws(StoreError) -> StoreSocket {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw StoreError(.unreachable, "cannot make a socket: \(String(cString: strerror(errno)))") }
        let socket = StoreSocket(fd: fd)
        if Glibc.connect(fd, address, length) == 0 { return socket }
        guard errno == EINPROGRESS || errno == EAGAIN else {
            throw StoreError(.unreachable, "cannot connect to \(shown): \(String(cString: strerror(errno)))")
        }
        guard try socket.wait(for: Int16(POLLOUT), until: deadline) else {
            throw StoreError(.timedOut, "connecting to \(shown) took longer than the connect timeout")
        }
        var failure: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size)
        guard failure == 0 else { throw StoreError(.unreachable, "cannot connect to \(shown): \(String(cString: strerror(failure)))") }
        return socket
    }

    /// Writes all of `bytes` by `deadline`.
    func send(_ bytes: [UInt8], deadline: Int64) throws(StoreError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK else {
                throw StoreError(.closed, "writing to the store failed: \(String(cString: strerror(errno)))")
            }
            guard try wait(for: Int16(POLLOUT), until: deadline) else {
                throw StoreError(.timedOut, "the store did not take a command within the operation timeout")
            }
        }
    }

    /// Appends what the socket has to `buffer`, waiting until `deadline` for at least one byte.
    func receive(into buffer: inout [UInt8], deadline: Int64) throws(StoreError) {
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress!, raw.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return
            }
            if count == 0 { throw StoreError(.closed, "the store closed the connection") }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else {
                throw StoreError(.closed, "reading from the store failed: \(String(cString: strerror(errno)))")
            }
            guard try wait(for: Int16(POLLIN), until: deadline) else {
                throw StoreError(.timedOut, "the store did not answer within the operation timeout")
            }
        }
    }

    /// Waits for `events` until `deadline`; false when the deadline passed first.
    private func wait(for events: Int16, until deadline: Int64) throws(StoreError) -> Bool {
        while true {
            let remaining = deadline - SystemClock.nanoseconds(CLOCK_MONOTONIC)
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: (remaining + 999_999) / 1_000_000))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR {
                throw StoreError(.closed, "waiting for the store failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}
