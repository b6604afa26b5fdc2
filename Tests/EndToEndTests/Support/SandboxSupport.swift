import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// tollgate in front of `Tests/Fixtures/sandbox_probe.py`, initialized: each ``probe(_:_:port:child:)``
/// is one `tools/call` and returns what the server's attempt met (`{"ok", "errno", ...}`).
final class ProbeSession {
    let gate: GateProcess
    private var nextID = 10

    /// Starts `tollgate run OPTIONS -- PYTHON sandbox_probe.py` (with `launcher` before tollgate).
    init(python: String, options: [String], environment: [String: String?] = [:], in directory: TemporaryDirectory,
         launcher: [String] = []) async throws {
        gate = try GateProcess(tollgate: ["run"] + options + ["--", python, Repository.sandboxProbe], environment: environment,
                               in: directory, launcher: launcher)
        let (response, _) = try await gate.exchange(RPC.request(id: "1", method: "initialize",
                                                                params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#),
                                                    id: "1")
        guard response["result"]["serverInfo"]["name"].string == "sandbox-probe" else {
            throw E2EError("the probe server did not initialize: \(response)\(gate.stderrTail)")
        }
        try await gate.send(RPC.notification(method: "notifications/initialized"))
    }

    /// One attempt by the server (or, with `child`, by a process it starts).
    func probe(_ kind: String, _ target: String? = nil, port: Int? = nil, child: Bool = false) async throws -> JSON {
        nextID += 1
        var arguments: [String: Any] = ["kind": kind, "child": child]
        if let target { arguments["target"] = target }
        if let port { arguments["port"] = port }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: arguments, options: [.sortedKeys]), as: UTF8.self)
        let (response, _) = try await gate.exchange(RPC.toolCall(id: "\(nextID)", name: "probe", arguments: text), id: "\(nextID)")
        guard let result = resultText(response) else { throw E2EError("probe \(kind) got no result: \(response)\(gate.stderrTail)") }
        return try JSON(parsing: Array(result.utf8))
    }

    /// Closes the session and returns tollgate's exit status.
    func finish() async throws -> Int32 {
        gate.closeInput()
        return try await gate.waitForExit()
    }
}

/// Sockets the test itself listens on, for the probes to reach: TCP and UDP on every address
/// (so loopback and the machine's own address), and a pathname Unix socket.
final class TestListeners {
    let tcpPort: Int
    let udpPort: Int
    let unixPath: String
    private let tcp: Int32
    private let udp: Int32
    private let unix: Int32

    init(unixPath: String) throws {
        tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        unix = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard tcp >= 0, udp >= 0, unix >= 0 else { throw E2EError("socket: \(String(cString: strerror(errno)))") }
        for fd in [tcp, udp, unix] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        tcpPort = try Self.bindAny(tcp)
        udpPort = try Self.bindAny(udp)
        guard listen(tcp, 16) == 0 else { throw E2EError("listen: \(String(cString: strerror(errno)))") }
        _ = fcntl(udp, F_SETFL, O_NONBLOCK)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in unixPath.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let unixSocket = unix
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(unixSocket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard bound == 0, listen(unixSocket, 16) == 0 else { throw E2EError("unix socket \(unixPath): \(String(cString: strerror(errno)))") }
        chmod(unixPath, 0o777)  // connecting needs write permission on the socket, also for another user
        self.unixPath = unixPath
    }

    deinit {
        for fd in [tcp, udp, unix] { close(fd) }
        unlink(unixPath)
    }

    /// How many datagrams arrived since the last call.
    func datagramsReceived() -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ recv(udp, $0.baseAddress, $0.count, 0) }) >= 0 { count += 1 }
        return count
    }

    /// Binds `fd` to 0.0.0.0 at a port the kernel picks; returns the port.
    private static func bindAny(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw E2EError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// An IPv4 address of this machine that is not loopback (what a direct connection out uses).
    static func ownAddress() throws -> String {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw E2EError("getifaddrs: \(String(cString: strerror(errno)))") }
        defer { freeifaddrs(list) }
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let address = current.pointee.ifa_addr, Int32(address.pointee.sa_family) == AF_INET else { continue }
            let ipv4 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr
            var text = [CChar](repeating: 0, count: 32)
            var copy = ipv4
            inet_ntop(AF_INET, &copy, &text, 32)
            let string = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !string.hasPrefix("127.") { return string }
        }
        throw E2EError("this machine has no IPv4 address but loopback: the direct-connection probes need one")
    }
}

/// A plain HTTP server on 127.0.0.1 serving `directory` (Python's http.server), for proxy tests.
final class LocalHTTPServer {
    let port: Int
    private let pid: pid_t

    init(python: String, directory: String, in scratch: TemporaryDirectory) async throws {
        let portFile = scratch.path("http-\(UUID().uuidString.prefix(8)).port")
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1]))
            __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
            server.serve_forever()
            """
        pid = try Spawner.spawn([python, "-c", script, portFile, directory], environment: Spawner.environment([:]),
                                stdin: .devNull, stdout: .devNull, stderr: .file(portFile + ".log"))
        let deadline = Deadline(.seconds(20))
        while !FileManager.default.fileExists(atPath: portFile) {
            if deadline.hasPassed || Spawner.reap(pid) != nil {
                kill(pid, SIGKILL)
                throw E2EError("the local HTTP server did not start: \((try? String(contentsOfFile: portFile + ".log", encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        port = Int(try String(contentsOfFile: portFile, encoding: .utf8)) ?? 0
    }

    deinit {
        kill(pid, SIGKILL)
        _ = Spawner.reap(pid, block: true)
    }
}

extension Repository {
    static var sandboxProbe: String { fixtures + "/sandbox_probe.py" }
}

/// The Python the probe server runs on: the system's (`/usr/bin/python3`, readable by every
/// user, which the non-root test needs), else the test venv's.
func probePython() async throws -> String {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") { return "/usr/bin/python3" }
    return try await PythonEnvironment.python()
}

/// Expects a probe's result to be a refusal with `errno`.
func expectRefused(_ result: JSON, _ errno: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result["ok"].bool == false && result["errno"].string == errno, "\(what): expected \(errno), got \(result)", sourceLocation: sourceLocation)
}

/// Expects a probe's attempt to have worked.
func expectAllowed(_ result: JSON, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result["ok"].bool == true, "\(what): expected it to work, got \(result)", sourceLocation: sourceLocation)
}
