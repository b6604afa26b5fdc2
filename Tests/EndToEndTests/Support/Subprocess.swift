import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Starting and reaping child processes with `posix_spawn`: every pipe end the tests hold is
/// close-on-exec, so a child started by one test never inherits another test's pipe (which would
/// keep that pipe open and hide an end of file), and children start with default signal handling.
enum Spawner {
    /// Where a standard descriptor of the child comes from or goes to.
    enum Redirect {
        case descriptor(Int32)
        case file(String)
        case devNull
    }

    /// Ignores SIGPIPE in the test process once: a test writing to a dead tollgate gets EPIPE.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Starts `arguments` (the first is searched in PATH when it has no slash), in `directory`
    /// when one is given (through `/bin/sh`, which enters it and execs the command in its place:
    /// glibc's posix_spawn cannot change directory here).
    static func spawn(
        _ arguments: [String], environment: [String: String],
        stdin: Redirect, stdout: Redirect, stderr: Redirect, newProcessGroup: Bool = false, directory: String? = nil
    ) throws -> pid_t {
        precondition(sigpipeIgnored)
        precondition(!arguments.isEmpty)
        let arguments = directory.map { ["/bin/sh", "-c", #"cd -- "$0" && exec "$@""#, $0] + arguments } ?? arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, redirect) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch redirect {
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .file(let path):
                let flags = target == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_APPEND)
                posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o644)
            case .devNull:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = spawnLock.withLock { _ in posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) }
        guard result == 0 else {
            throw E2EError("cannot start \(arguments): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// A pipe whose both ends are close-on-exec: `(read, write)`.
    static func pipe() throws -> (read: Int32, write: Int32) {
        // pipe2 is not visible to Swift here; pipe + FD_CLOEXEC under the spawn lock is as good.
        try spawnLock.withLock { _ in
            var fds: [Int32] = [-1, -1]
            guard Glibc.pipe(&fds) == 0 else {
                throw E2EError("pipe failed: \(String(cString: strerror(errno)))")
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
    }

    /// Held while a pipe is made close-on-exec and while a child is spawned, so no child spawned
    /// by another thread inherits a pipe end in between.
    private static let spawnLock = Mutex<Void>(())

    /// Reaps `pid` if it has ended: its status as a shell reports it (code, or 128 + signal).
    static func reap(_ pid: pid_t, block: Bool = false) -> Int32? {
        var status: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(pid, &status, block ? 0 : WNOHANG)
        } while result < 0 && errno == EINTR
        guard result == pid else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Waits for `pid` to end (polling, on the calling thread); nil when the deadline passes first.
    static func wait(_ pid: pid_t, deadline: Deadline, cancellation: CancellationFlag) throws -> Int32? {
        while true {
            if let status = reap(pid) { return status }
            if deadline.hasPassed { return nil }
            try cancellation.check("waiting for process \(pid) to exit")
            sleepThread(milliseconds: 5)
        }
    }

    /// This process's environment with `overrides` applied (a nil value removes the variable).
    static func environment(_ overrides: [String: String?]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in overrides { environment[key] = value }
        return environment
    }
}

/// The result of a finished command.
struct CommandOutput: Sendable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var elapsed: Duration

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs commands to completion with a timeout (a hung command fails the test instead of CI).
enum Subprocess {
    /// Runs `arguments` (in `directory`, if given) with stdin from `input` (default: nothing, as
    /// /dev/null) and waits up to `timeout`; on timeout the whole process group is killed and an
    /// error carrying the command's stderr is thrown.
    static func run(
        _ arguments: [String], environment: [String: String?] = [:], directory: String? = nil, input: String? = nil, timeout: Duration
    ) async throws -> CommandOutput {
        let files = try TemporaryDirectory("run")
        let stdoutPath = files.path("stdout")
        let stderrPath = files.path("stderr")
        var stdin = Spawner.Redirect.devNull
        if let input {
            try Data(input.utf8).write(to: URL(fileURLWithPath: files.path("stdin")))
            stdin = .file(files.path("stdin"))
        }
        let env = Spawner.environment(environment)
        let started = ContinuousClock.now
        let pid = try Spawner.spawn(arguments, environment: env, stdin: stdin,
                                    stdout: .file(stdoutPath), stderr: .file(stderrPath), newProcessGroup: true, directory: directory)
        let deadline = Deadline(timeout)
        let status: Int32?
        do {
            status = try await onThread { flag in try Spawner.wait(pid, deadline: deadline, cancellation: flag) }
        } catch {
            kill(-pid, SIGKILL)
            _ = Spawner.reap(pid, block: true)
            throw error
        }
        let stderr = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self)
        guard let status else {
            kill(-pid, SIGKILL)
            _ = Spawner.reap(pid, block: true)
            throw E2EError("""
                \(arguments) did not finish within \(timeout.seconds) s; killed. Its stderr:
                \(stderr.suffix(4000))
                """)
        }
        let stdout = (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))).map { [UInt8]($0) } ?? []
        return CommandOutput(status: status, stdout: stdout, stderr: stderr, elapsed: started.duration(to: .now))
    }
}

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String) throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/tollgate-e2e-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw E2EError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    func path(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
