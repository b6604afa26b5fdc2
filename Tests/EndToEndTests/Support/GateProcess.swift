import Foundation
import Synchronization

/// A running `tollgate run [OPTIONS] -- SERVER...` driven like an MCP client: lines go to its
/// stdin, lines are read from its stdout with deadlines, its stderr goes to a file.
///
/// Every wait has a deadline, so a hung tollgate fails the test instead of hanging CI; when the
/// object goes away a still-running tollgate is killed (its server follows by PR_SET_PDEATHSIG).
final class GateProcess: Sendable {
    /// tollgate's pid.
    let pid: pid_t
    /// The full command line started.
    let arguments: [String]
    /// Where tollgate's stderr (and the server's, which it shares) is written.
    let stderrPath: String
    /// The read end of tollgate's stderr when it is a pipe (see `init`'s `stderrToPipe`), else -1.
    let stderrPipe: Int32

    private let directory: TemporaryDirectory
    private let input: Mutex<Int32>
    private let output: Int32
    private let reader: Mutex<LineReader>
    private let exitStatus = Mutex<Int32?>(nil)

    /// The fixture server, started with plain `python3`.
    static let fixtureServer = ["python3", Repository.fixtureServer]

    /// Starts tollgate in front of `server` (none: the manifest's), in `workingDirectory` if given.
    /// `environment` changes tollgate's environment, which the server inherits. `stderrToPipe`
    /// makes stderr a pipe that nobody reads until the test does (``readStderr(timeout:until:)``),
    /// instead of a file.
    convenience init(
        server: [String], options: [String] = [], environment: [String: String?] = [:],
        in directory: TemporaryDirectory, workingDirectory: String? = nil, stderrToPipe: Bool = false
    ) throws {
        try self.init(tollgate: ["run"] + options + ["--"] + server, environment: environment, in: directory,
                      workingDirectory: workingDirectory, stderrToPipe: stderrToPipe)
    }

    /// Starts `tollgate ARGUMENTS...` (any command: `audit log --follow` too), as above;
    /// `launcher` goes before tollgate's path (`setpriv --reuid ...`).
    init(
        tollgate options: [String], environment: [String: String?] = [:], in directory: TemporaryDirectory,
        workingDirectory: String? = nil, stderrToPipe: Bool = false, launcher: [String] = []
    ) throws {
        arguments = launcher + [try TollgateBinary.path()] + options
        self.directory = directory
        stderrPath = directory.path("tollgate-\(UUID().uuidString.prefix(8)).stderr")
        let toGate = try Spawner.pipe()
        let fromGate: (read: Int32, write: Int32)
        do {
            fromGate = try Spawner.pipe()
        } catch {
            close(toGate.read)
            close(toGate.write)
            throw error
        }
        let errors = stderrToPipe ? try Spawner.pipe() : (read: -1, write: -1)
        defer {
            close(toGate.read)
            close(fromGate.write)
            if errors.write >= 0 { close(errors.write) }
        }
        do {
            pid = try Spawner.spawn(arguments, environment: Spawner.environment(environment),
                                    stdin: .descriptor(toGate.read), stdout: .descriptor(fromGate.write),
                                    stderr: stderrToPipe ? .descriptor(errors.write) : .file(stderrPath), directory: workingDirectory)
        } catch {
            close(toGate.write)
            close(fromGate.read)
            if errors.read >= 0 { close(errors.read) }
            throw error
        }
        stderrPipe = errors.read
        if stderrPipe >= 0 { _ = fcntl(stderrPipe, F_SETFL, fcntl(stderrPipe, F_GETFL) | O_NONBLOCK) }
        _ = fcntl(toGate.write, F_SETFL, fcntl(toGate.write, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fromGate.read, F_SETFL, fcntl(fromGate.read, F_GETFL) | O_NONBLOCK)
        input = Mutex(toGate.write)
        output = fromGate.read
        reader = Mutex(LineReader())
    }

    deinit {
        if exitStatus.withLock({ $0 }) == nil {
            kill(pid, SIGKILL)
            _ = Spawner.reap(pid, block: true)
        }
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
        close(output)
        if stderrPipe >= 0 { close(stderrPipe) }
    }

    /// Reads tollgate's stderr pipe until `stop` holds for all text read so far, or `timeout`;
    /// returns the text (only for a gate started with `stderrToPipe`).
    func readStderr(timeout: Duration = .seconds(20), until stop: @escaping @Sendable (String) -> Bool) async throws -> String {
        precondition(stderrPipe >= 0, "stderr is not a pipe")
        let deadline = Deadline(timeout)
        let fd = stderrPipe
        return try await onThread { flag in
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let text = String(decoding: bytes, as: UTF8.self)
                if stop(text) { return text }
                if deadline.hasPassed { throw E2EError("stderr did not show what was awaited within \(timeout.seconds) s; it ends with:\n\(text.suffix(2000))") }
                try flag.check("reading tollgate's stderr")
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, deadline.pollMilliseconds()) > 0 else { continue }
                let count = read(fd, &chunk, chunk.count)
                if count > 0 { bytes += chunk[..<count] } else if count == 0 { throw E2EError("tollgate's stderr closed; it ends with:\n\(text.suffix(2000))") }
            }
        }
    }

    // MARK: - Input

    /// Sends one line (a newline is appended).
    func send(_ line: String, timeout: Duration = .seconds(20)) async throws {
        try await send(bytes: Array(line.utf8) + [0x0A], timeout: timeout)
    }

    /// Sends raw bytes as they are (include the newline).
    func send(bytes: [UInt8], timeout: Duration = .seconds(20)) async throws {
        let deadline = Deadline(timeout)
        try await onThread { flag in
            try self.input.withLock { fd in
                guard fd >= 0 else { throw E2EError("tollgate's stdin is already closed") }
                try bytes.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        try flag.check("writing to tollgate")
                        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&descriptor, 1, deadline.pollMilliseconds())
                        let written = write(fd, buffer.baseAddress! + offset, min(buffer.count - offset, 1 << 20))
                        if written > 0 {
                            offset += written
                        } else if written < 0 && errno != EAGAIN && errno != EINTR {
                            throw E2EError("writing to tollgate failed after \(offset) of \(buffer.count) bytes: \(String(cString: strerror(errno)))\(self.stderrTail)")
                        }
                        if offset < buffer.count && deadline.hasPassed {
                            throw E2EError("tollgate did not take \(buffer.count) bytes within \(timeout.seconds) s (took \(offset))\(self.stderrTail)")
                        }
                    }
                }
            }
        }
    }

    /// Closes tollgate's stdin (the client went away).
    func closeInput() {
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    // MARK: - Output

    /// The next line tollgate writes, without its newline; fails at end of output or timeout.
    func readLine(timeout: Duration = .seconds(20)) async throws -> [UInt8] {
        guard let line = try await readLineOrEnd(timeout: timeout) else {
            throw E2EError("tollgate closed its stdout while a line was expected\(stderrTail)")
        }
        return line
    }

    /// The next line, or nil when tollgate closed its stdout; fails on timeout.
    func readLineOrEnd(timeout: Duration = .seconds(20)) async throws -> [UInt8]? {
        let deadline = Deadline(timeout)
        let output = output
        return try await onThread { flag in
            try self.reader.withLock { reader -> [UInt8]? in
                while true {
                    if let line = reader.takeLine() { return line }
                    if reader.endOfStream { return nil }
                    if deadline.hasPassed {
                        throw E2EError("""
                            no complete line from tollgate within \(timeout.seconds) s \
                            (\(reader.pendingCount) bytes of a partial line buffered\
                            \(reader.pendingCount > 0 ? ", starting: \(reader.pendingPrefix(200))" : ""))\(self.stderrTail)
                            """)
                    }
                    try flag.check("reading from tollgate")
                    _ = try reader.fill(from: output, pollMilliseconds: deadline.pollMilliseconds())
                }
            }
        }
    }

    /// The next line parsed as JSON.
    func readJSON(timeout: Duration = .seconds(20)) async throws -> JSON {
        try JSON(parsing: try await readLine(timeout: timeout))
    }

    /// Reads lines until one satisfies `stop` (that one included); fails on timeout or end.
    func readLines(timeout: Duration = .seconds(20), until stop: ([UInt8]) -> Bool) async throws -> [[UInt8]] {
        let deadline = Deadline(timeout)
        var lines: [[UInt8]] = []
        while true {
            let left = ContinuousClock.now.duration(to: deadline.end)
            let line = try await readLine(timeout: max(left, .milliseconds(1)))
            lines.append(line)
            if stop(line) { return lines }
        }
    }

    // MARK: - Process

    /// Sends `signal` to tollgate.
    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for tollgate to exit and returns its status as a shell reports it.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        if let status = exitStatus.withLock({ $0 }) { return status }
        let deadline = Deadline(timeout)
        let pid = pid
        guard let status = try await onThread({ flag in try Spawner.wait(pid, deadline: deadline, cancellation: flag) }) else {
            throw E2EError("tollgate (pid \(pid)) did not exit within \(timeout.seconds) s\(stderrTail)")
        }
        exitStatus.withLock { $0 = status }
        return status
    }

    /// The pid of the server tollgate started (its only child), waiting until it is there.
    func serverPID(timeout: Duration = .seconds(10)) async throws -> pid_t {
        let deadline = Deadline(timeout)
        let pid = pid
        return try await onThread { flag in
            while true {
                let children = ProcFS.children(of: pid)
                if let child = children.first {
                    guard children.count == 1 else { throw E2EError("tollgate has several children: \(children)") }
                    return child
                }
                if deadline.hasPassed { throw E2EError("tollgate (pid \(pid)) has no child process after \(timeout.seconds) s") }
                try flag.check("looking for tollgate's child")
                sleepThread(milliseconds: 10)
            }
        }
    }

    /// Everything written to stderr so far.
    var stderrText: String {
        String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self)
    }

    /// Everything written to stderr once `shows` holds for it, or after `timeout` (stderr is
    /// written by a thread of its own: a line may come just after the answer it tells of).
    func stderrText(within timeout: Duration = .seconds(5), showing shows: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var text = stderrText
        while !shows(text) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            text = stderrText
        }
        return text
    }

    /// The end of stderr, formatted to append to an error message.
    var stderrTail: String {
        let text = stderrText
        guard !text.isEmpty else { return "; tollgate's stderr is empty" }
        return "; tollgate's stderr ends with:\n" + String(text.suffix(3000))
    }
}
