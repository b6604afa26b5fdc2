#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A collector stand-in for `tollgate-bench`: listens on 127.0.0.1 (a free port), reads each
/// HTTP/1.1 request by its `Content-Length` and answers `200 {}`, keeping the connection. It does
/// not parse the bodies (the tests do that with the official proto); it only costs what a fast
/// collector costs.
public final class LoopbackCollector: Sendable {
    /// The port it listens on.
    public let port: UInt16
    private let listener: Int32

    /// Starts listening and serving on threads of its own; nil when no socket could be had.
    public init?() {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, 16) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else {
            close(socket)
            return nil
        }
        listener = socket
        port = UInt16(bigEndian: address.sin_port)
        startThread {
            while true {
                let connection = accept(socket, nil, nil)
                guard connection >= 0 else { return }
                startThread { Self.serve(connection) }
            }
        }
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting connections.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Answers every request on `connection` until the peer closes it.
    private static func serve(_ connection: Int32) {
        defer { close(connection) }
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".utf8)
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            buffer += chunk[..<count]
            // Whole requests: a head, then as many body bytes as it says.
            while let headEnd = Self.headEnd(buffer) {
                let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
                let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, KeyValueList.sameIgnoringASCIICase(String(parts[0]), "content-length") else { return nil }
                    return Int(parts[1].filter { $0 != " " })
                }.first ?? 0
                guard buffer.count >= headEnd + 4 + length else { break }
                buffer.removeFirst(headEnd + 4 + length)
                guard answer.withUnsafeBytes({ writeAll(connection, $0) }) else { return }
            }
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
            return index
        }
        return nil
    }
}
