import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a descriptor to its end.
func readToEnd(_ fd: Int32) -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            result.append(contentsOf: buffer[..<n])
        } else if n < 0 && errno == EINTR {
            continue
        } else {
            return result
        }
    }
}

/// Writes all of `bytes` to a descriptor.
func writeFully(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { _ = writeAll(fd, $0) }
}

@Suite("ChildProcess", .serialized)
struct ChildProcessTests {
    /// Waits (polling) for the child to end.
    private func waitForExit(_ child: ChildProcess, timeoutMilliseconds: Int = 10_000) -> TollgateKit.ExitStatus? {
        for _ in 0..<(timeoutMilliseconds / 5) {
            if let status = child.reap() { return status }
            usleep(5000)
        }
        return nil
    }

    private func spawn(_ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
                       limits: ResourceLimits = ResourceLimits()) throws(SpawnError) -> ChildProcess {
        try ChildProcess.spawn(ChildProcess.Configuration(arguments: arguments, environment: environment,
                                                          workingDirectory: workingDirectory, limits: limits))
    }

    /// Runs a shell script to its end and returns its output and status.
    private func run(_ script: String, input: String = "", environment: [String: String]? = nil, workingDirectory: String? = nil,
                     limits: ResourceLimits = ResourceLimits()) throws -> (output: String, status: TollgateKit.ExitStatus?) {
        let child = try spawn(["/bin/sh", "-c", script], environment: environment, workingDirectory: workingDirectory, limits: limits)
        writeFully(child.input, bytes(input))
        close(child.input)
        let output = readToEnd(child.output)
        close(child.output)
        return (text(output), waitForExit(child))
    }

    @Test("stdin and stdout are connected; the exit status is reported")
    func pipesAndStatus() throws {
        let result = try run(#"read line; echo "got $line"; exit 3"#, input: "hi\n")
        #expect(result.output == "got hi\n")
        #expect(result.status == TollgateKit.ExitStatus.exited(3))
    }

    @Test("closing the child's input is end of file for it")
    func endOfInput() throws {
        let result = try run("cat; echo done", input: "a\nb")
        #expect(result.output == "a\nbdone\n")
        #expect(result.status == TollgateKit.ExitStatus.exited(0))
    }

    @Test("the environment, when given, is the whole environment")
    func environment() throws {
        let result = try run(#"echo "$A|$B|${HOME:-unset}""#, environment: ["A": "1", "B": "two words"])
        #expect(result.output == "1|two words|unset\n")
    }

    @Test("the working directory and resource limits apply")
    func directoryAndLimits() throws {
        #expect(try run("pwd", workingDirectory: "/").output == "/\n")
        #expect(try run("ulimit -n", limits: ResourceLimits(openFiles: 37)).output == "37\n")
    }

    @Test("only stdin, stdout and stderr are open in the child")
    func descriptorsClosed() throws {
        // The shell's own descriptors, listed by a glob, so no extra process opens one.
        let result = try run("cd /proc/self/fd 2>/dev/null || exit 0; for fd in *; do printf '%s ' \"$fd\"; done")
        if !result.output.isEmpty {
            let fds = Set(result.output.split(separator: " ").compactMap { Int($0) })
            #expect(fds.isSubset(of: [0, 1, 2, 3, 10, 255]), "unexpected descriptors \(fds)")
            #expect(fds.allSatisfy { $0 <= 2 || $0 == 3 || $0 >= 10 })
        }
    }

    @Test("the child leads its own process group, and a group signal ends it")
    func processGroup() throws {
        let child = try spawn(["/bin/sh", "-c", "sleep 30 & wait"])
        #expect(getpgid(child.pid) == child.pid)
        usleep(50_000)
        child.signalGroup(SIGTERM)
        #expect(waitForExit(child) == TollgateKit.ExitStatus.signaled(SIGTERM))
        close(child.input)
        #expect(readToEnd(child.output).isEmpty, "the background sleep got the signal too, so the pipe closed")
        close(child.output)
    }

    @Test("a command that does not exist fails with ENOENT at exec (exit code 127)")
    func notFound() {
        do throws(SpawnError) {
            let child = try spawn(["tollgate-test-no-such-command-\(getpid())"])
            Issue.record("spawned \(child.pid)")
        } catch {
            #expect(error.step == .exec)
            #expect(error.errno == ENOENT)
            #expect(error.exitCode == 127)
            #expect(error.command.hasPrefix("tollgate-test-no-such-command-"))
        }
    }

    @Test("a file that is not executable fails with exit code 126")
    func notExecutable() {
        let path = "/tmp/tollgate-test-noexec-\(getpid())"
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        #expect(fd >= 0)
        writeFully(fd, bytes("#!/bin/sh\nexit 0\n"))
        close(fd)
        defer { unlink(path) }
        do throws(SpawnError) {
            let child = try spawn([path])
            Issue.record("spawned \(child.pid)")
        } catch {
            #expect(error.step == .exec)
            #expect(error.exitCode == 126)
        }
    }

    @Test("a working directory that does not exist fails at changeDirectory")
    func badDirectory() {
        do throws(SpawnError) {
            let child = try spawn(["/bin/sh", "-c", "exit 0"], workingDirectory: "/nonexistent/tollgate-test")
            Issue.record("spawned \(child.pid)")
        } catch {
            #expect(error.step == .changeDirectory)
            #expect(error.errno == ENOENT)
        }
    }
}
