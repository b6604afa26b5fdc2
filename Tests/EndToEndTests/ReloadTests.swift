import Foundation
import Testing

/// Reloading the manifest while Tollgate runs: SIGHUP (and `--watch`) put the new policy in
/// force for the next call, calls in flight finish under the policy that decided them, an
/// invalid manifest is reported (stderr, audit) and the running policy stays.
@Suite("Reload: a new manifest while calls run", .timeLimit(.minutes(2)))
struct ReloadTests {
    func records(_ path: String) throws -> [JSON] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSON(parsing: String($0)) }
    }

    @Test("one server: SIGHUP puts a new policy in force (the client is told to list again); an invalid manifest is reported and the old policy stays")
    func sighup() async throws {
        let directory = try TemporaryDirectory("reload-sighup")
        let audit = directory.path("audit.log")
        func manifest(_ tools: String) -> String {
            #"{"version": 1, "policy": {"default": "allow"}, "tools": \#(tools), "audit": {"path": "\#(audit)"}}"#
        }
        let path = try writeFile(manifest("{}"), named: "manifest.json", in: directory)
        let gate = try GateProcess(server: GateProcess.fixtureServer, options: ["--manifest", path], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        _ = try await gate.readJSON()
        try await gate.send(RPC.request(id: "1", method: "tools/list"))
        _ = try await gate.response(to: "1")
        try await gate.send(RPC.toolCall(id: "2", name: "echo", arguments: #"{"text":"before"}"#))
        #expect(resultText(try await gate.response(to: "2").response) == "before")

        _ = try writeFile(manifest(#"{"echo": {"allow": false, "reason": "echo is off after the reload"}}"#), named: "manifest.json", in: directory)
        kill(gate.pid, SIGHUP)
        let told = try await gate.readJSON()
        #expect(told["method"].string == "notifications/tools/list_changed", "\(told)\(gate.stderrTail)")
        try await gate.send(RPC.toolCall(id: "3", name: "echo", arguments: #"{"text":"after"}"#))
        let denied = try await gate.response(to: "3").response
        #expect(denied["result"]["_meta"]["dev.tollgate/denial"]["reason"].string == "echo is off after the reload", "\(denied)")

        _ = try writeFile(#"{"version": 1, "tools": {"echo": {"allow": "yes"}}}"#, named: "manifest.json", in: directory)
        kill(gate.pid, SIGHUP)
        try await waitFor("the invalid manifest's report") { gate.stderrText.contains("not reloaded") }
        #expect(gate.stderrText.contains("manifest.json:1:") && gate.stderrText.contains("tools.echo.allow"), "\(gate.stderrTail)")
        try await gate.send(RPC.toolCall(id: "4", name: "echo", arguments: #"{"text":"still off"}"#))
        #expect(try await gate.response(to: "4").response["result"]["isError"].bool == true, "the running policy stays")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0)

        let reloads = try records(audit).filter { $0["event"].string == "reload" }
        #expect(reloads.map { $0["result"].string } == ["applied", "invalid"], "\(reloads)")
        #expect(try await runTollgate(["audit", "verify", audit]).status == 0)
    }

    @Test("several servers with --watch: an edit of the file is picked up, the listing follows the new policy")
    func watch() async throws {
        let directory = try TemporaryDirectory("reload-watch")
        let path = try AggregationTests.twoFixtures(directory)
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let gate = try GateProcess(server: [], options: ["--manifest", path, "--watch"], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        _ = try await gate.readJSON()
        try await gate.send(RPC.toolCall(id: "1", name: "a__echo", arguments: #"{"text":"x"}"#))
        #expect(resultText(try await gate.response(to: "1").response) == "x")

        // An editor's save: a new file renamed over the old one.
        let edited = original.replacingOccurrences(of: #""tools": {}"#, with: #""tools": {"a__echo": {"allow": false}}"#)
        #expect(edited != original)
        try edited.write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
        #expect(rename(path + ".tmp", path) == 0)
        var denied = false
        for attempt in 0..<60 where !denied {
            try await gate.send(RPC.toolCall(id: "\(10 + attempt)", name: "a__echo", arguments: #"{"text":"x"}"#))
            denied = try await gate.response(to: "\(10 + attempt)").response["result"]["isError"].bool == true
            if !denied { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(denied, "the edit was never picked up\(gate.stderrTail)")
        try await gate.send(RPC.request(id: "100", method: "tools/list"))
        let names = try await gate.response(to: "100").response["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(!names.contains("a__echo") && names.contains("b__echo"), "\(names)")
        #expect(gate.stderrText.contains("changed: reloaded"), "\(gate.stderrTail)")
        gate.closeInput()
        _ = try await gate.waitForExit()
    }

    @Test("SIGHUP while 100 calls are in flight: every call answered once, each decided by exactly one policy, in audit order")
    func inFlight() async throws {
        let directory = try TemporaryDirectory("reload-inflight")
        let audit = directory.path("audit.log")
        let auditSettings = #""audit": {"path": "\#(audit)", "arguments": "full"}"#
        let path = try AggregationTests.twoFixtures(directory, policy: #"{"default": "allow"}, \#(auditSettings)"#)
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let gate = try GateProcess(server: [], options: ["--manifest", path], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        _ = try await gate.readJSON()
        func send(_ n: Int) async throws {
            let server = n % 2 == 0 ? "a" : "b"
            try await gate.send(RPC.toolCall(id: "\(n)", name: "\(server)__sleep", arguments: #"{"ms":800,"tag":"call-\#(n)"}"#))
        }
        // 50 calls reach the servers; while they sleep, the manifest changes and SIGHUP comes,
        // with 50 more calls right behind it.
        for n in 1...50 { try await send(n) }
        try await waitFor("50 calls at the servers") {
            (fileLines(directory.path("A.log")) + fileLines(directory.path("B.log"))).filter { $0.text.contains("\"tools/call\"") }.count == 50
        }
        let denying = original.replacingOccurrences(of: #""tools": {}"#, with: #""tools": {"*__sleep": {"allow": false, "reason": "reloaded"}}"#)
        _ = try writeFile(denying, named: "manifest.json", in: directory)
        kill(gate.pid, SIGHUP)
        for n in 51...100 { try await send(n) }

        var answers: [Int: JSON] = [:]
        while answers.count < 100 {
            let message = try await gate.readJSON()
            guard let id = message["id"].int else { continue }
            #expect(answers[id] == nil, "call \(id) answered twice")
            answers[id] = message
        }
        gate.closeInput()
        _ = try await gate.waitForExit()

        // The audit trail orders decisions around the reload: before it allowed, after it denied.
        let all = try records(audit)
        let reload = try #require(all.firstIndex { $0["event"].string == "reload" && $0["result"].string == "applied" }, "no reload record")
        var decided: [Int: (decision: String, index: Int)] = [:]
        for (index, record) in all.enumerated() where record["event"].string == "decision" {
            guard let tag = record["arguments"]["tag"].string, let n = Int(tag.dropFirst("call-".count)) else { continue }
            #expect(decided[n] == nil, "call \(n) decided twice")
            decided[n] = (record["decision"].string ?? "?", index)
        }
        #expect(decided.count == 100, "every call has one decision record: \(decided.count)")
        var allowedCount = 0
        for n in 1...100 {
            guard let (decision, index) = decided[n], let answer = answers[n] else {
                Issue.record("call \(n): decision \(String(describing: decided[n])), answer \(String(describing: answers[n]))")
                continue
            }
            #expect(decision == (index < reload ? "allowed" : "denied"), "call \(n) was \(decision) at record \(index); the reload is record \(reload)")
            if decision == "allowed" {
                allowedCount += 1
                #expect(resultText(answer) == "slept 800 ms", "call \(n), allowed, ran to its end: \(answer)")
            } else {
                #expect(answer["result"]["_meta"]["dev.tollgate/denial"]["reason"].string == "reloaded", "call \(n), denied by the new policy: \(answer)")
            }
        }
        #expect(allowedCount >= 50, "the 50 calls at the servers before the reload were allowed: \(allowedCount)")
        #expect(try await runTollgate(["audit", "verify", audit]).status == 0)
    }

    @Test("several servers: a reload starts the server it adds, stops the one it removes, restarts the one it changes")
    func servers() async throws {
        let directory = try TemporaryDirectory("reload-servers")
        let path = try AggregationTests.twoFixtures(directory)
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let gate = try GateProcess(server: [], options: ["--manifest", path], in: directory)
        _ = try await gate.exchange(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#, id: "0")
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        let before = try await gate.exchange(RPC.request(id: "1", method: "tools/list"), id: "1").response
        #expect(before["result"]["tools"].array?.contains { $0["name"].string == "b__echo" } == true)
        let startedWith = ProcFS.children(of: gate.pid)
        #expect(startedWith.count == 2, "\(startedWith)")

        // b goes, c comes (b's entry under a new name), a's environment changes.
        let edited = original
            .replacingOccurrences(of: #""b": {"#, with: #""c": {"#)
            .replacingOccurrences(of: #""FIXTURE_NAME": "A""#, with: #""FIXTURE_NAME": "A2""#)
        #expect(edited != original)
        _ = try writeFile(edited, named: "manifest.json", in: directory)
        kill(gate.pid, SIGHUP)
        var names: [String] = []
        for attempt in 0..<100 {
            let listed = try await gate.exchange(RPC.request(id: "\(10 + attempt)", method: "tools/list"), id: "\(10 + attempt)").response
            names = listed["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
            if names.contains("c__echo") && names.contains("a__echo") && !names.contains("b__echo") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(names.contains("c__echo") && names.contains("a__echo") && !names.contains("b__echo"), "\(names)\(gate.stderrTail)")
        let viaC = try await gate.exchange(RPC.toolCall(id: "200", name: "c__echo", arguments: #"{"text":"from c"}"#), id: "200").response
        #expect(resultText(viaC) == "from c", "\(viaC)")
        let viaA = try await gate.exchange(RPC.toolCall(id: "201", name: "a__echo", arguments: #"{"text":"from a"}"#), id: "201").response
        #expect(resultText(viaA) == "from a", "\(viaA)")
        let viaB = try await gate.exchange(RPC.toolCall(id: "202", name: "b__echo", arguments: #"{"text":"x"}"#), id: "202").response
        #expect(viaB["error"].exists || viaB["result"]["isError"].bool == true, "b is gone: \(viaB)")
        let now = ProcFS.children(of: gate.pid)
        #expect(now.count == 2 && Set(now).isDisjoint(with: startedWith), "a was restarted, b stopped, c started: \(startedWith) → \(now)")
        let stderr = gate.stderrText
        #expect(stderr.contains("server b was removed from the manifest") && stderr.contains("server c was added") && stderr.contains("server a changed"), "\(stderr)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
    }
}
