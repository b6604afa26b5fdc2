import Foundation
import Testing

/// `servers.X.limits` and `servers.X.env` with the fixture server started from the manifest.
@Suite("Server limits and environment", .timeLimit(.minutes(2)))
struct ServerLimitsTests {
    /// tollgate `run --manifest M --` where M's one server is the fixture with `entry` merged in.
    private func session(_ label: String, server entry: String, environment: [String: String?] = [:]) throws -> (TemporaryDirectory, GateProcess) {
        let directory = try TemporaryDirectory(label)
        let manifest = """
            {"version": 1, "policy": {"default": "allow"},
             "servers": {"fixture": {"command": "python3", "args": ["\(try jsonEscaped(Repository.fixtureServer))"], \(entry)}}}
            """
        let path = try writeFile(manifest, named: "manifest.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", path], environment: environment, in: directory)
        return (directory, gate)
    }

    @Test("env inherit false: the server sees only the named variables; a secret in Tollgate's environment does not reach it")
    func isolatedEnvironment() async throws {
        let (_, gate) = try session("env-isolated", server: #""env": {"inherit": false, "PATH": "$PATH", "GREETING": "hello", "FIXTURE_QUIET": "1"}"#,
                                    environment: ["PLANTED_SECRET": "hunter2"])
        try await gate.send(RPC.toolCall(id: "1", name: "env"))
        let answer = try await gate.readJSON()
        let text = try #require(resultText(answer), "\(answer)")
        let environment = try JSON(parsing: text)
        #expect(environment["GREETING"].string == "hello")
        // (a pyenv shim may put its own directories in front)
        #expect(environment["PATH"].string?.hasSuffix(ProcessInfo.processInfo.environment["PATH"] ?? "-") == true, "\(text)")
        #expect(environment["PLANTED_SECRET"].exists == false, "the planted secret leaked: \(text)")
        #expect(!text.contains("hunter2"))
        #expect(environment["HOME"].exists == false, "not named, not given: \(text)")
        gate.closeInput()
        #expect(try await gate.waitForExit(timeout: .seconds(20)) == 0)
    }

    @Test("env by default adds to the inherited environment (the planted variable is there)")
    func inheritedEnvironment() async throws {
        let (_, gate) = try session("env-inherited", server: #""env": {"GREETING": "hi", "FIXTURE_QUIET": "1"}"#, environment: ["PLANTED_SECRET": "hunter2"])
        try await gate.send(RPC.toolCall(id: "1", name: "env"))
        let environment = try JSON(parsing: try #require(resultText(try await gate.readJSON())))
        #expect(environment["GREETING"].string == "hi" && environment["PLANTED_SECRET"].string == "hunter2")
        gate.closeInput()
        #expect(try await gate.waitForExit(timeout: .seconds(20)) == 0)
    }

    @Test("a $NAME missing from Tollgate's environment stops the start with exit 2, naming it and its file:line")
    func missingVariable() async throws {
        let (directory, gate) = try session("env-missing", server: #""env": {"inherit": false, "TOKEN": "$TOLLGATE_TEST_UNSET_VARIABLE"}"#)
        #expect(try await gate.waitForExit(timeout: .seconds(20)) == 2)
        #expect(gate.stderrText.contains("\(directory.path("manifest.json")):2:") && gate.stderrText.contains("servers.fixture.env.TOKEN: ${TOLLGATE_TEST_UNSET_VARIABLE} is not set"),
                "\(gate.stderrText)")
    }

    @Test("a server allocating past limits.memoryMB dies; its pending call is answered with server_unavailable; stderr says why")
    func memoryLimit() async throws {
        let (_, gate) = try session("limits-memory", server: #""env": {"FIXTURE_QUIET": "1"}, "limits": {"memoryMB": 200}"#)
        try await gate.send(RPC.toolCall(id: "7", name: "hog"))
        let answer = try await gate.readJSON(timeout: .seconds(30))
        expectDenial(answer, id: 7, code: "server_unavailable", tool: "hog", rule: nil, "the hog")
        let status = try await gate.waitForExit(timeout: .seconds(20))
        #expect(status != 0)
        let stderr = gate.stderrText
        #expect(stderr.contains("MemoryError"), "the server's own stderr: \(stderr)")
        #expect(stderr.contains("resource limits in force: memoryMB 200"), "\(stderr)")
        #expect(stderr.contains("cgroup v2 not writable here") || !stderr.contains("(setrlimit)"), "the cgroup situation is said: \(stderr)")
        #expect(stderr.components(separatedBy: "cgroup v2 not writable").count <= 2, "said once")
    }

    @Test("a CPU runaway past limits.cpuSeconds is stopped by SIGXCPU; its call is answered")
    func cpuLimit() async throws {
        let (_, gate) = try session("limits-cpu", server: #""env": {"FIXTURE_QUIET": "1"}, "limits": {"cpuSeconds": 1}"#)
        try await gate.send(RPC.toolCall(id: "3", name: "spin"))
        let answer = try await gate.readJSON(timeout: .seconds(30))
        expectDenial(answer, id: 3, code: "server_unavailable", tool: "spin", rule: nil, "the spin")
        #expect(try await gate.waitForExit(timeout: .seconds(20)) == 128 + 24)
        #expect(gate.stderrText.contains("SIGXCPU") && gate.stderrText.contains("CPU time limit (cpuSeconds 1)"), "\(gate.stderrText)")
    }
}
