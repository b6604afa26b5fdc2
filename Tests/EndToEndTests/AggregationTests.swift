import Foundation
import Testing

/// `tollgate run --manifest FILE` with several servers: one MCP server for the client, tools
/// named `server__tool`, each call routed to its server under Tollgate's own ids.
@Suite("Aggregation: several servers behind one gate", .timeLimit(.minutes(2)))
struct AggregationTests {
    /// Two fixture servers with the same tools (so every name collides), each logging what it receives.
    /// A manifest of two fixture servers `a` and `b` (logging to A.log and B.log in `directory`);
    /// `settings` adds members to each server's entry (e.g. `"restart": "never"`).
    static func twoFixtures(_ directory: TemporaryDirectory, tools: String = #"{}"#, policy: String = #"{"default": "allow"}"#,
                            settings: String = "") throws -> String {
        let fixture = try jsonEscaped(Repository.fixtureServer)
        func server(_ name: String) throws -> String {
            let log = try jsonEscaped(directory.path("\(name).log"))
            let extra = settings.isEmpty ? "" : ", " + settings
            return #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_NAME": "\#(name)", "FIXTURE_QUIET": "1", "FIXTURE_LOG": "\#(log)"}\#(extra)}"#
        }
        let manifest = #"{"version": 1, "policy": \#(policy), "servers": {"a": \#(try server("A")), "b": \#(try server("B"))}, "tools": \#(tools)}"#
        return try writeFile(manifest, named: "manifest.json", in: directory)
    }

    @Test("raw lines: namespaced listing, 20 interleaved calls with colliding ids each answered by its own server, a crash leaves the other working")
    func interleaved() async throws {
        let directory = try TemporaryDirectory("aggregate-raw")
        let gate = try GateProcess(server: [], options: ["--manifest", try Self.twoFixtures(directory, settings: #""restart": "never""#)], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        let initialized = try await gate.readJSON()
        #expect(initialized["result"]["serverInfo"]["name"].string == "tollgate", "\(initialized)\(gate.stderrTail)")
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        let children = ProcFS.children(of: gate.pid)
        #expect(children.count == 2, "tollgate should have started two servers: \(children)")

        try await gate.send(RPC.request(id: "1", method: "tools/list"))
        let names = try await gate.readJSON()["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(names.contains("a__sleep") && names.contains("b__sleep") && !names.contains("sleep"), "\(names)")

        // Ids 1…10 (numbers) go to a, "1"…"10" (strings) to b: to a naive relay both servers would
        // see id 1. Sleeps make the answers come back in another order than the calls went out.
        var expected: [String: String] = [:]
        for i in 1...10 {
            let slowFirst = (11 - i) * 30
            try await gate.send(RPC.toolCall(id: "\(i)", name: "a__sleep", arguments: #"{"ms":\#(slowFirst)}"#))
            try await gate.send(RPC.toolCall(id: "\"\(i)\"", name: "b__sleep", arguments: #"{"ms":\#(i * 30 + 5)}"#))
            expected["\(i)"] = "slept \(slowFirst) ms"
            expected["\"\(i)\""] = "slept \(i * 30 + 5) ms"
        }
        var order: [String] = []
        for _ in 0..<20 {
            let line = try await gate.readLine()
            let response = try JSON(parsing: line)
            let id = try #require(response["id"].exists ? (response["id"].string.map { "\"\($0)\"" } ?? response["id"].int.map(String.init)) : nil, "\(response)")
            #expect(resultText(response) == expected[id], "id \(id): \(response)")
            expected[id] = nil
            order.append(id)
        }
        #expect(expected.isEmpty, "unanswered: \(expected.keys.sorted())")
        #expect(order != order.sorted(), "the answers should have come back interleaved: \(order)")

        // Each server saw only its own calls, under its own tool name and ids Tollgate gave out;
        // no id went to both servers.
        func callIDs(_ log: String) throws -> [String] {
            try fileLines(directory.path(log)).map { try JSON(parsing: $0) }.filter { $0["method"].string == "tools/call" }.map { call in
                #expect(call["params"]["name"].string == "sleep", "\(log): \(call)")
                return call["id"].int.map(String.init) ?? "string \(call["id"])"
            }
        }
        let idsA = try callIDs("A.log")
        let idsB = try callIDs("B.log")
        #expect(idsA.count == 10 && idsB.count == 10, "A got \(idsA), B got \(idsB)")
        #expect(Set(idsA).isDisjoint(with: idsB), "A got \(idsA), B got \(idsB)")

        // Each echo reached only the server its prefix names.
        #expect(resultText(try await call(gate, RPC.toolCall(id: "71", name: "a__echo", arguments: #"{"text":"for-a"}"#))) == "for-a")
        #expect(resultText(try await call(gate, RPC.toolCall(id: "72", name: "b__echo", arguments: #"{"text":"for-b"}"#))) == "for-b")
        let logA = fileLines(directory.path("A.log")).map(\.text).joined(separator: "\n")
        let logB = fileLines(directory.path("B.log")).map(\.text).joined(separator: "\n")
        #expect(logA.contains("for-a") && !logA.contains("for-b") && logB.contains("for-b") && !logB.contains("for-a"), "A:\n\(logA)\nB:\n\(logB)")

        // b crashes during a call: the call is answered, its tools leave, a goes on.
        try await gate.send(RPC.toolCall(id: "99", name: "b__crash"))
        var crashAnswer: JSON?
        var sawListChanged = false
        for _ in 0..<2 {
            let message = try await gate.readJSON()
            if message["method"].string == "notifications/tools/list_changed" { sawListChanged = true } else { crashAnswer = message }
        }
        #expect(crashAnswer?["id"].int == 99, "\(String(describing: crashAnswer))")
        #expect(crashAnswer?["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(String(describing: crashAnswer))")
        #expect(sawListChanged, "the client should be told b's tools left")
        let afterCrash = try await call(gate, RPC.toolCall(id: "100", name: "a__echo", arguments: #"{"text":"still here"}"#))
        #expect(resultText(afterCrash) == "still here", "\(afterCrash)\(gate.stderrTail)")
        let toB = try await call(gate, RPC.toolCall(id: "101", name: "b__echo", arguments: #"{"text":"x"}"#))
        #expect(toB["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(toB)")

        gate.closeInput()
        let status = try await gate.waitForExit()
        #expect(status == 3, "tollgate should exit with the crashed server's status 3, got \(status)\(gate.stderrTail)")
        for child in children {
            #expect(try await ProcFS.waitUntilGone(child, timeout: .seconds(5)), "server \(child) outlived tollgate")
        }
    }

    @Test("timeoutSeconds on a namespaced rule: the slow call gets a timeout denial, the server its cancellation, the other server goes on")
    func timeout() async throws {
        let directory = try TemporaryDirectory("aggregate-timeout")
        let manifest = try Self.twoFixtures(directory, tools: #"{"b__sleep": {"timeoutSeconds": 0.3}}"#)
        let gate = try GateProcess(server: [], options: ["--manifest", manifest], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        _ = try await gate.readJSON()
        try await gate.send(RPC.toolCall(id: "1", name: "b__sleep", arguments: #"{"ms":5000}"#))
        try await gate.send(RPC.toolCall(id: "2", name: "a__sleep", arguments: #"{"ms":600}"#))
        let first = try await gate.readJSON(timeout: .seconds(3))
        #expect(first["id"].int == 1 && first["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "timeout", "\(first)\(gate.stderrTail)")
        let second = try await gate.readJSON(timeout: .seconds(5))
        #expect(second["id"].int == 2 && resultText(second) == "slept 600 ms", "a's untimed call is answered: \(second)")
        let logB = fileLines(directory.path("B.log")).map(\.text)
        #expect(logB.contains { $0.contains("notifications/cancelled") }, "b should have been told to cancel: \(logB)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
    }

    @Test("a server that never answers initialize: the client is answered after its startTimeoutSeconds, without it; its calls are refused")
    func startTimeout() async throws {
        let directory = try TemporaryDirectory("aggregate-start")
        let fixture = try jsonEscaped(Repository.fixtureServer)
        let manifest = try writeFile("""
            {"version": 1, "policy": {"default": "allow"}, "servers": {
              "a": {"command": "python3", "args": ["\(fixture)"], "env": {"FIXTURE_QUIET": "1"}},
              "mute": {"command": "sleep", "args": ["30"], "startTimeoutSeconds": 1}}}
            """, named: "manifest.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", manifest], in: directory)
        let started = ContinuousClock.now
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        let initialized = try await gate.readJSON(timeout: .seconds(10))
        let elapsed = ContinuousClock.now - started
        #expect(initialized["result"]["serverInfo"]["name"].string == "tollgate", "\(initialized)\(gate.stderrTail)")
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10), "answered after \(elapsed)")
        let told = try await gate.stderrText { $0.contains("server mute failed to initialize") && $0.contains("startTimeoutSeconds") }
        #expect(told.contains("server mute failed to initialize") && told.contains("startTimeoutSeconds"), "\(gate.stderrTail)")
        try await gate.send(RPC.request(id: "1", method: "tools/list"))
        let names = try await gate.readJSON()["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(names.contains("a__echo") && !names.contains { $0.hasPrefix("mute__") }, "\(names)")
        let refused = try await call(gate, RPC.toolCall(id: "2", name: "mute__echo", arguments: "{}"))
        #expect(refused["id"].int == 2 && (refused["error"].exists || refused["result"]["isError"].bool == true), "\(refused)")
        gate.closeInput()
        _ = try await gate.waitForExit()
    }

    private func call(_ gate: GateProcess, _ line: String) async throws -> JSON {
        try await gate.send(line)
        return try await gate.readJSON()
    }

    @Test("the official SDK: namespaced listing, routing, parallel calls, sampling from a server, policy on namespaced names", arguments: ["legacy", "auto"])
    func sdk(mode: String) async throws {
        let directory = try TemporaryDirectory("aggregate-sdk")
        let manifest = try Self.twoFixtures(directory, tools: #"{"b__delete_file": {"allow": false, "reason": "b deletes for real"}}"#)
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "a__echo", "arguments": ["text": "echo-a"]],
            ["op": "call_tool", "name": "b__echo", "arguments": ["text": "echo-b"]],
            ["op": "parallel", "steps": [
                ["op": "call_tool", "name": "a__sleep", "arguments": ["ms": 300]],
                ["op": "call_tool", "name": "b__sleep", "arguments": ["ms": 50]],
                ["op": "call_tool", "name": "b__echo", "arguments": ["text": "one"]],
                ["op": "call_tool", "name": "a__echo", "arguments": ["text": "two"]],
            ]],
            ["op": "call_tool", "name": "b__ask_sampling", "arguments": ["prompt": "Write a haiku."]],
            ["op": "call_tool", "name": "b__delete_file", "arguments": ["path": "/tmp/x"]],
            ["op": "call_tool", "name": "a__delete_file", "arguments": ["path": "/tmp/x"]],
            ["op": "call_tool", "name": "a__notify_progress", "arguments": ["steps": 2], "progress": true],
        ]
        let report = try await SDKClient.run(mode: mode, script: script, command: [try TollgateBinary.path(), "run", "--manifest", manifest],
                                             extra: ["--sampling-reply", "a sampled reply"])
        let steps = try SDKClient.steps(report, count: 8)
        #expect(report["serverInfo"]["name"].string == "tollgate", "\(report)")
        let tools = steps[0]["tools"].strings ?? []
        #expect(tools.contains("a__echo") && tools.contains("b__echo") && !tools.contains("b__delete_file"), "\(tools)")
        #expect(steps[1]["text"].string == "echo-a" && steps[2]["text"].string == "echo-b", "\(steps[1]) \(steps[2])")
        let logA = fileLines(directory.path("A.log")).map(\.text).joined(separator: "\n")
        let logB = fileLines(directory.path("B.log")).map(\.text).joined(separator: "\n")
        #expect(logA.contains("echo-a") && !logA.contains("echo-b") && logB.contains("echo-b") && !logB.contains("echo-a"), "routing: A:\n\(logA)\nB:\n\(logB)")
        #expect(logB.contains("\"name\":\"delete_file\"") == false && logA.contains("\"name\":\"delete_file\""), "the denied call must not reach b")
        let parallel = steps[3]["results"].array ?? []
        #expect(parallel.map { $0["text"].string ?? "?" } == ["slept 300 ms", "slept 50 ms", "one", "two"], "\(steps[3])")
        #expect(steps[4]["text"].string == "a sampled reply", "\(steps[4])")
        #expect(report["samplings"].array?.count == 1, "\(report["samplings"])")
        expectSDKDenial(steps[5], code: "tool_denied", tool: "b__delete_file", rule: "tools.b__delete_file", "policy on the namespaced name")
        expectSDKSuccess(steps[6], tool: "a__delete_file", "a's delete_file is not denied")
        #expect(steps[7]["progress"].array?.count == 2, "progress should reach the client through Tollgate's tokens: \(steps[7])")
    }

    @Test("mcp-server-git and mcp-server-time together under one gate", arguments: ["legacy", "auto"])
    func realServers(mode: String) async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("aggregate-real")
        let repository = directory.path("repo")
        let initialized = try await Subprocess.run(["git", "init", "-q", repository], timeout: .seconds(20))
        try #require(initialized.status == 0, "git init failed: \(initialized.stderr)")
        let manifest = try writeFile("""
            {"version": 1,
             "servers": {
               "git": {"command": "\(try jsonEscaped(python))", "args": ["-m", "mcp_server_git", "--repository", "\(try jsonEscaped(repository))"]},
               "time": {"command": "\(try jsonEscaped(python))", "args": ["-m", "mcp_server_time"]}
             },
             "tools": {"git__git_status": {}, "time__*": {}}}
            """, named: "manifest.json", in: directory)
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "time__get_current_time", "arguments": ["timezone": "UTC"]],
            ["op": "call_tool", "name": "git__git_status", "arguments": ["repo_path": repository]],
            ["op": "call_tool", "name": "git__git_commit", "arguments": ["repo_path": repository, "message": "m"]],
        ]
        let report = try await SDKClient.run(mode: mode, script: script, command: [try TollgateBinary.path(), "run", "--manifest", manifest])
        let steps = try SDKClient.steps(report, count: 4)
        let tools = Set(steps[0]["tools"].strings ?? [])
        #expect(tools == ["git__git_status", "time__get_current_time", "time__convert_time"], "policy default deny leaves these: \(tools)")
        expectSDKSuccess(steps[1], tool: "time__get_current_time", "time")
        #expect(steps[1]["text"].string?.contains("UTC") == true, "\(steps[1])")
        expectSDKSuccess(steps[2], tool: "git__git_status", "git")
        #expect(steps[2]["text"].string?.contains("branch") == true, "\(steps[2])")
        expectSDKDenial(steps[3], code: "tool_denied", tool: "git__git_commit", rule: "policy.default", "git commit is not allowed")
    }
}
