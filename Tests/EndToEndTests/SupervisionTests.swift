import Foundation
import Testing

/// Restarts with several servers: a server that crashes is started again after its backoff and
/// answers again (its tools come back, the client is told), the others keep working meanwhile;
/// `restart: "never"` keeps a server down; one that keeps failing is given up after
/// `maxRestarts`; Tollgate exits with the status of the first server given up.
@Suite("Supervision: servers restarted after they fail", .timeLimit(.minutes(2)))
struct SupervisionTests {
    /// Four fixture servers: `steady`, `flaky` (restarted after 0.2 s), `once` (never restarted)
    /// and `broken` (exits 4 at every start; restarted twice at 0.1 s, then given up).
    static func manifest(_ directory: TemporaryDirectory) throws -> String {
        let fixture = try jsonEscaped(Repository.fixtureServer)
        func server(_ name: String, _ settings: String, env: String = "") throws -> String {
            let log = try jsonEscaped(directory.path("\(name).log"))
            return #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_NAME": "\#(name)", "FIXTURE_QUIET": "1", "FIXTURE_LOG": "\#(log)"\#(env)}\#(settings)}"#
        }
        let servers = [
            #""steady": \#(try server("steady", ""))"#,
            #""flaky": \#(try server("flaky", #", "restartBackoffSeconds": 0.2"#))"#,
            #""once": \#(try server("once", #", "restart": "never""#))"#,
            #""broken": \#(try server("broken", #", "maxRestarts": 2, "restartBackoffSeconds": 0.1"#, env: #", "FIXTURE_EXIT_AT_START": "4""#))"#,
        ]
        return try writeFile(#"{"version": 1, "policy": {"default": "allow"}, "servers": {\#(servers.joined(separator: ", "))}}"#,
                             named: "manifest.json", in: directory)
    }

    @Test("raw lines: a crashed server comes back and answers; never means never; a server failing at every start is given up")
    func restarts() async throws {
        let directory = try TemporaryDirectory("supervise-raw")
        let gate = try GateProcess(server: [], options: ["--manifest", try Self.manifest(directory)], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        #expect(try await gate.readJSON()["result"]["serverInfo"]["name"].string == "tollgate", "\(gate.stderrTail)")
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        let tools = try await gate.exchange(RPC.request(id: "1", method: "tools/list"), id: "1").response["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(tools.contains("steady__echo") && tools.contains("flaky__echo") && tools.contains("once__echo") && !tools.contains { $0.hasPrefix("broken__") },
                "\(tools)")
        let flakyPIDs = Set(ProcFS.children(of: gate.pid))

        // flaky crashes: its call is answered, its tools leave, steady goes on.
        let crashed = try await gate.exchange(RPC.toolCall(id: "10", name: "flaky__crash"), id: "10")
        #expect(crashed.response["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(crashed)")
        let steady = try await gate.exchange(RPC.toolCall(id: "11", name: "steady__echo", arguments: #"{"text":"still here"}"#), id: "11")
        #expect(resultText(steady.response) == "still here")

        // It is started again and answers: poll until it does (backoff 0.2 s).
        var back: JSON?
        var heard = (crashed.others + steady.others).map { $0["method"].string ?? "\($0)" }
        for attempt in 0..<100 {
            let reply = try await gate.exchange(RPC.toolCall(id: "\(100 + attempt)", name: "flaky__echo", arguments: #"{"text":"back"}"#), id: "\(100 + attempt)")
            heard += reply.others.map { $0["method"].string ?? "\($0)" }
            if resultText(reply.response) == "back" { back = reply.response; break }
            #expect(reply.response["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(reply.response)")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(back != nil, "flaky never came back\(gate.stderrTail)")
        #expect(heard.filter { $0 == "notifications/tools/list_changed" }.count == 2, "told when its tools left and when they came back: \(heard)")
        let relisted = try await gate.exchange(RPC.request(id: "2", method: "tools/list"), id: "2").response["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(relisted.contains("flaky__echo"), "\(relisted)")
        let startedTwice = fileLines(directory.path("flaky.log")).filter { $0.text.contains("\"method\":\"initialize\"") }.count
        #expect(startedTwice == 2, "flaky was initialized once per process: \(startedTwice)")
        #expect(!Set(ProcFS.children(of: gate.pid)).isSubset(of: flakyPIDs), "a new process serves flaky: \(flakyPIDs)")

        // once crashes and stays down.
        _ = try await gate.exchange(RPC.toolCall(id: "20", name: "once__crash"), id: "20")
        try await Task.sleep(for: .milliseconds(600))
        let down = try await gate.exchange(RPC.toolCall(id: "21", name: "once__echo", arguments: #"{"text":"x"}"#), id: "21")
        #expect(down.response["error"]["code"].int == -32602 || down.response["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable",
                "once is not restarted: \(down.response)")
        // broken fails at every start: wait until it is given up (three starts, 0.1 s and 0.2 s apart).
        for _ in 0..<400 where !gate.stderrText.contains("maxRestarts is 2") { try await Task.sleep(for: .milliseconds(50)) }

        gate.closeInput()
        let status = try await gate.waitForExit()
        #expect(status == 3, "once (status 3) is the first server given up in manifest order, whose status Tollgate exits with; got \(status)\(gate.stderrTail)")
        let stderr = gate.stderrText
        #expect(stderr.contains("server broken exited with status 4; restarting it") && stderr.contains("maxRestarts is 2"), "\(stderr)")
        #expect(stderr.contains("server once exited with status 3; not restarted"), "\(stderr)")
        #expect(stderr.components(separatedBy: "server broken exited with status 4; restarting it").count == 3, "broken was restarted twice: \(stderr)")
        #expect(stderr.contains("server broken exited with status 4; not restarted: it failed 3 times in a row"), "\(stderr)")
    }

    @Test("the official SDK: a call after the crashed server's restart succeeds", arguments: ["legacy", "auto"])
    func sdk(mode: String) async throws {
        let directory = try TemporaryDirectory("supervise-sdk")
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "flaky__echo", "arguments": ["text": "before"]],
            ["op": "call_tool", "name": "flaky__crash", "arguments": [:]],
            ["op": "call_tool", "name": "steady__echo", "arguments": ["text": "meanwhile"]],
            ["op": "wait", "ms": 1500],
            ["op": "call_tool", "name": "flaky__echo", "arguments": ["text": "after"]],
        ]
        let report = try await SDKClient.run(mode: mode, script: script, command: [try TollgateBinary.path(), "run", "--manifest", try Self.manifest(directory)])
        let steps = try SDKClient.steps(report, count: 5)
        #expect(steps[0]["text"].string == "before" && steps[2]["text"].string == "meanwhile", "\(steps)")
        #expect(steps[1]["meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(steps[1])")
        #expect(steps[4]["text"].string == "after", "the restarted server answers: \(steps[4])")
    }
}
