import CTollgateSupport
#if canImport(Glibc)
import Glibc
#endif

/// The socket work of ``SandboxProxy``: reading a head, resolving, connecting, copying.
enum ProxyIO {
    /// Reads until `buffer` holds a complete head; its end, or a refusal (status 0: the client
    /// went away or was too slow, nothing to answer).
    static func readHead(_ fd: Int32, into buffer: inout [UInt8], limit: Int, timeoutMilliseconds: Int32) -> Result<Int, ProxyRequest.Refusal> {
        let deadline = SystemClock.monotonicMicroseconds() + Int64(timeoutMilliseconds) * 1000
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = ProxyRequest.headEnd(in: buffer) { return .success(end) }
            if buffer.count > limit { return .failure(.init(status: 431, reason: "a request head of more than \(limit) bytes")) }
            let left = Int32(clamping: (deadline - SystemClock.monotonicMicroseconds()) / 1000)
            guard left > 0 else { return .failure(.init(status: 0, reason: "no request head within \(timeoutMilliseconds / 1000) s")) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, left) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return .failure(.init(status: 0, reason: "the client closed the connection")) }
            buffer += chunk[..<count]
        }
    }

    /// The addresses `name` resolves to (once: the connection goes to one of these).
    static func resolve(_ name: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr, let address = IPAddress(socketAddress: socketAddress), !addresses.contains(address) {
                addresses.append(address)
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    /// Why a connection out failed: the system error number.
    struct ConnectFailure: Error {
        var errno: Int32
    }

    /// A connected socket (blocking, close-on-exec) to `address`:`port`, or the errno.
    static func connect(to address: IPAddress, port: UInt16, timeoutMilliseconds: Int32) -> Result<Int32, ConnectFailure> {
        let family = address.isIPv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .failure(ConnectFailure(errno: errno)) }
        var result: Int32
        if address.isIPv4 {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address.bytes) }
            result = withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: address.bytes) }
            result = withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        if result != 0 && errno == EINPROGRESS {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&descriptor, 1, timeoutMilliseconds) <= 0 {
                close(fd)
                return .failure(ConnectFailure(errno: ETIMEDOUT))
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            result = error == 0 ? 0 : -1
            errno = error
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            return .failure(ConnectFailure(errno: error))
        }
        _ = tg_set_nonblocking(fd, 0)
        return .success(fd)
    }

    /// Sends all of `bytes`; false when the peer is gone.
    static func send(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Copies bytes both ways until both directions ended (an end of one is passed on as a
    /// half-close) or a socket fails.
    static func copyBothWays(_ a: Int32, _ b: Int32) {
        var open = [true, true]  // a → b, b → a
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while open[0] || open[1] {
            var descriptors = [pollfd(fd: open[0] ? a : -1, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: open[1] ? b : -1, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { return }
            for (index, (from, to)) in [(a, b), (b, a)].enumerated() where open[index] && descriptors[index].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    if count < 0 { return }
                    open[index] = false
                    shutdown(to, Int32(SHUT_WR))
                    continue
                }
                guard send(to, chunk[..<count]) else { return }
            }
        }
    }
}
