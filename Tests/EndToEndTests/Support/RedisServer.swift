import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` (Debian's package; `.ci/run` installs it) of a test's own: on a Unix
/// socket in a temporary directory (and a free loopback port when asked), without snapshots,
/// with the append-only file when a restart must keep the counts. Stopped by its pid. A test that
/// cannot start it fails: nothing here skips.
final class RedisServer: @unchecked Sendable {
    let directory: TemporaryDirectory
    /// The Unix socket's path.
    let socket: String
    /// The loopback TCP port, when asked for.
    let port: Int?
    /// Whether the append-only file keeps the data across restarts.
    let appendOnly: Bool
    /// The default user's password (`requirepass`), if any; ``cli(_:user:password:)`` uses it.
    let password: String?
    private let extra: [String]
    private(set) var pid: pid_t = 0

    /// `redis+unix://SOCKET?db=N`.
    func unixURL(db: Int = 0) -> String { "redis+unix://\(socket)?db=\(db)" }
    /// `redis://127.0.0.1:PORT/N`.
    func tcpURL(db: Int = 0) -> String { "redis://127.0.0.1:\(port ?? 0)/\(db)" }

    /// Starts a server; `tcp` also listens on a free loopback port; `password` is required of clients.
    init(_ label: String, appendOnly: Bool = false, tcp: Bool = false, password: String? = nil, arguments: [String] = []) async throws {
        directory = try TemporaryDirectory("redis-\(label)")
        socket = directory.path("redis.sock")
        port = tcp ? try Self.freePort() : nil
        self.appendOnly = appendOnly
        self.password = password
        extra = arguments + (password.map { ["--requirepass", $0] } ?? [])
        try await start()
    }

    /// The `redis-server` binary, or a failure saying how to install it.
    static func binary() throws -> String {
        for candidate in ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw E2EError("redis-server is not installed; these tests need a real one: apt-get install redis-server (.ci/run does)")
    }

    /// Starts (or restarts) the server and waits until it answers PING.
    func start() async throws {
        let arguments = [try Self.binary(), "--port", String(port ?? 0), "--bind", "127.0.0.1", "--unixsocket", socket, "--unixsocketperm", "700",
                         "--dir", directory.path, "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "everysec",
                         "--daemonize", "no", "--logfile", directory.path("redis.log")] + extra
        pid = try Spawner.spawn(arguments, environment: Spawner.environment([:]), stdin: .devNull, stdout: .devNull,
                                stderr: .file(directory.path("redis.stderr")), newProcessGroup: true)
        let deadline = Deadline(.seconds(10))
        while !deadline.hasPassed {
            if let status = Spawner.reap(pid) {
                throw E2EError("redis-server exited at start (status \(status)): \(log)")
            }
            if (try? await cli(["PING"])) == "PONG" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw E2EError("redis-server did not answer PING within 10 s: \(log)")
    }

    /// The server's log so far.
    var log: String {
        ((try? String(contentsOfFile: directory.path("redis.log"), encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: directory.path("redis.stderr"), encoding: .utf8)) ?? "")
    }

    /// Runs `redis-cli` on the socket (an independent client, to set up and to check); returns
    /// its output without the final newline.
    @discardableResult
    func cli(_ arguments: [String], user: String? = nil, password: String? = nil) async throws -> String {
        var command = ["redis-cli", "-s", socket, "--no-auth-warning"]
        if let user { command += ["--user", user] }
        if let password = password ?? self.password { command += ["--pass", password] }
        let output = try await Subprocess.run(command + arguments, timeout: .seconds(10))
        guard output.status == 0 else { throw E2EError("redis-cli \(arguments) exited \(output.status): \(output.stderr)") }
        var text = output.stdoutText
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// A number `redis-cli` printed (an integer reply), or nil.
    func integer(_ arguments: [String]) async throws -> Int? {
        Int(try await cli(arguments))
    }

    /// Stops the server (SIGTERM, then waits; SIGKILL after 10 s).
    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGCONT)
        kill(pid, SIGTERM)
        let deadline = Deadline(.seconds(10))
        while Spawner.reap(pid) == nil {
            if deadline.hasPassed {
                kill(pid, SIGKILL)
                _ = Spawner.reap(pid, block: true)
                break
            }
            sleepThread(milliseconds: 10)
        }
        pid = 0
    }

    /// Freezes the server (SIGSTOP): it keeps its connections but answers nothing.
    func freeze() { kill(pid, SIGSTOP) }

    /// Thaws a frozen server (SIGCONT).
    func thaw() { kill(pid, SIGCONT) }

    deinit { stop() }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw E2EError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
