import Foundation
import Testing

/// Starting, stopping and losing the server: exit statuses, the shutdown escalation, signals,
/// crashes with calls in flight, commands that cannot start, and backpressure.
@Suite("Lifecycle", .timeLimit(.minutes(2)))
struct LifecycleTests {
    /// A ping round trip: the server is up (and has set up its signal handling).
    private func roundTrip(_ gate: GateProcess, id: Int = 1) async throws {
        try await gate.send(RPC.ping(id: "\(id)"))
        expectBytes(try await gate.readLine(), #"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#, "ping response")
    }

    @Test("closing stdin ends the session with the server's status 0")
    func exitsZeroOnStdinClose() async throws {
        let session = try FixtureSession("exit0")
        try await roundTrip(session.gate)
        let server = try await session.gate.serverPID()
        #expect(try await session.finish() == 0, "stderr: \(session.gate.stderrText)")
        #expect(ProcFS.isGone(server), "the server (pid \(server)) must be gone once tollgate exited")
    }

    @Test("closing stdin ends the session with the server's own status (7)")
    func exitsWithServerStatus() async throws {
        let directory = try TemporaryDirectory("exit7")
        let gate = try GateProcess(server: ["sh", "-c", "cat >/dev/null; exit 7"], in: directory)
        gate.closeInput()
        #expect(try await gate.waitForExit() == 7, "stderr: \(gate.stderrText)")
    }

    @Test("a server that exits on its own ends the session with its status, stdin still open")
    func serverExitsOnItsOwn() async throws {
        let directory = try TemporaryDirectory("exit5")
        let gate = try GateProcess(server: ["sh", "-c", "exit 5"], in: directory)
        #expect(try await gate.waitForExit(timeout: .seconds(10)) == 5, "stderr: \(gate.stderrText)")
    }

    @Test("a server ignoring EOF and SIGTERM is killed after 2 s + 2 s: exit 137")
    func escalatesToSIGKILL() async throws {
        let session = try FixtureSession("escalation", environment: [
            "FIXTURE_IGNORE_STDIN_EOF": "1", "FIXTURE_IGNORE_SIGTERM": "1",
        ])
        try await roundTrip(session.gate)
        let server = try await session.gate.serverPID()
        let closed = ContinuousClock.now
        session.gate.closeInput()
        let status = try await session.gate.waitForExit(timeout: .seconds(20))
        let elapsed = closed.duration(to: .now)
        #expect(status == 137, "tollgate must exit with the server's status (128 + SIGKILL); stderr: \(session.gate.stderrText)")
        #expect(elapsed >= .milliseconds(3500) && elapsed <= .seconds(9), "exited after \(elapsed.seconds) s; expected ≈ 4 s")
        #expect(try await ProcFS.waitUntilGone(server, timeout: .seconds(2)), "the server (pid \(server)) survived")
        let stderr = session.gate.stderrText
        #expect(stderr.contains("SIGTERM") && stderr.contains("SIGKILL"), "the escalation should be reported: \(stderr)")
    }

    @Test("SIGTERM to tollgate shuts the server down")
    func sigtermStopsServer() async throws {
        let session = try FixtureSession("sigterm")
        try await roundTrip(session.gate)
        let server = try await session.gate.serverPID()
        #expect(ProcFS.commandLine(server).contains("fixture_server.py"), "child: \(ProcFS.commandLine(server))")
        session.gate.signal(SIGTERM)
        let status = try await session.gate.waitForExit(timeout: .seconds(15))
        #expect(status == 0, "the fixture exits 0 when its stdin closes; stderr: \(session.gate.stderrText)")
        #expect(ProcFS.isGone(server), "the server (pid \(server)) must be gone once tollgate exited")
    }

    @Test("SIGKILL to tollgate takes the server with it within 1 s (PR_SET_PDEATHSIG)")
    func sigkillTakesServerAlong() async throws {
        let session = try FixtureSession("sigkill", environment: ["FIXTURE_IGNORE_STDIN_EOF": "1", "FIXTURE_IGNORE_SIGTERM": "1"])
        try await roundTrip(session.gate)
        let server = try await session.gate.serverPID()
        session.gate.signal(SIGKILL)
        #expect(try await session.gate.waitForExit(timeout: .seconds(5)) == 137)
        #expect(try await ProcFS.waitUntilGone(server, timeout: .seconds(1)), "the server (pid \(server)) outlived tollgate by 1 s")
    }

    @Test("a server crash answers every pending call and tollgate exits with the server's status 3")
    func crashAnswersPending() async throws {
        let session = try FixtureSession("crash")
        try await roundTrip(session.gate)
        try await session.gate.send(RPC.toolCall(id: "10", name: "sleep", arguments: #"{"ms":5000}"#))
        try await session.gate.send(RPC.toolCall(id: "11", name: "crash"))
        let sent = ContinuousClock.now
        var answered: [Int: JSON] = [:]
        for _ in 0..<2 {
            let response = try await session.gate.readJSON(timeout: .seconds(10))
            let id = try #require(response["id"].int, "\(response)")
            answered[id] = response
        }
        #expect(sent.duration(to: .now) < .seconds(4), "answered only after \(sent.duration(to: .now).seconds) s")
        #expect(Set(answered.keys) == [10, 11])
        for (id, response) in answered {
            #expect(response["result"]["isError"].bool == true, "call \(id): \(response)")
            #expect(response["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "call \(id): \(response)")
        }
        #expect(try await session.gate.waitForExit(timeout: .seconds(10)) == 3, "stderr: \(session.gate.stderrText)")
        // Nothing else was written after the answers.
        #expect(try await session.gate.readLineOrEnd(timeout: .seconds(5)) == nil)
    }

    @Test("a command that does not exist: exit 127, one line on stderr, requests answered with an error")
    func commandNotFound() async throws {
        let directory = try TemporaryDirectory("notfound")
        let command = "tollgate-e2e-no-such-command-\(UUID().uuidString.prefix(8))"
        let gate = try GateProcess(server: [command, "--flag"], in: directory)
        try await gate.send(RPC.request(
            id: "1", method: "initialize",
            params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}"#))
        let response = try await gate.readJSON(timeout: .seconds(10))
        #expect(response["id"].int == 1, "\(response)")
        #expect(response["error"]["code"].int != nil, "initialize must get a JSON-RPC error: \(response)")
        #expect(response["result"].exists == false, "\(response)")
        #expect(try await gate.waitForExit(timeout: .seconds(10)) == 127)
        // Besides the start-up warning that no manifest is in force.
        let lines = gate.stderrText.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("tollgate: no manifest:") }
        #expect(lines.count == 1, "stderr must be one line: \(gate.stderrText)")
        #expect(lines.first?.contains(command) == true, "stderr must name the command: \(gate.stderrText)")
    }

    @Test("a command that cannot be executed: exit 126, one line on stderr")
    func commandNotExecutable() async throws {
        let directory = try TemporaryDirectory("noexec")
        let path = directory.path("not-executable")
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        let gate = try GateProcess(server: [path], in: directory)
        gate.closeInput()
        #expect(try await gate.waitForExit(timeout: .seconds(10)) == 126)
        let lines = gate.stderrText.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("tollgate: no manifest:") }
        #expect(lines.count == 1 && lines.first?.contains(path) == true, "stderr: \(gate.stderrText)")
    }

    @Test("a client that stops reading stalls the relay instead of growing tollgate's memory")
    func backpressureBoundsMemory() async throws {
        let session = try FixtureSession("backpressure", environment: ["FIXTURE_LOG": nil, "FIXTURE_QUIET": "1"])
        try await roundTrip(session.gate)
        let count = 200
        var requests = ""
        for id in 0..<count { requests += RPC.toolCall(id: "\(id)", name: "big", arguments: #"{"mb":1}"#) + "\n" }
        try await session.gate.send(bytes: Array(requests.utf8))

        // 200 MiB of results are waiting; nobody reads them for 2 s.
        var peak = 0
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(100))
            peak = max(peak, try #require(ProcFS.residentKilobytes(session.gate.pid), "no VmRSS for tollgate"))
        }
        #expect(peak < 64 * 1024, "tollgate's VmRSS reached \(peak) KiB while its client was not reading")

        var seen = Set<Int>()
        let deadline = Deadline(.seconds(45))
        let head = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        for received in 0..<count {
            let line: [UInt8]
            do {
                line = try await session.gate.readLine(timeout: max(ContinuousClock.now.duration(to: deadline.end), .milliseconds(1)))
            } catch {
                throw E2EError("only \(received) of \(count) responses of 1 MiB arrived within \(deadline.timeout.seconds) s: \(error)")
            }
            let length = line.count
            #expect(length >= 1 << 20, "a response of \(length) bytes: \(line.prefix(200).text)")
            // `{"jsonrpc":"2.0","id":N,...`: read N without parsing a MiB of JSON.
            var idText = ""
            if line.matches(head, at: 0) {
                idText = line[head.count..<min(line.count, head.count + 20)].prefix(while: { $0 != UInt8(ascii: ",") }).text
            }
            let id = try #require(Int(idText), "unexpected response: \(line.prefix(200).text)")
            #expect(seen.insert(id).inserted, "id \(id) answered twice")
            if received % 20 == 0, let rss = ProcFS.residentKilobytes(session.gate.pid) { peak = max(peak, rss) }
        }
        #expect(seen == Set(0..<count))
        #expect(peak < 64 * 1024, "tollgate's VmRSS reached \(peak) KiB while relaying 1 MiB results")
        #expect(try await session.finish() == 0)
    }
}
