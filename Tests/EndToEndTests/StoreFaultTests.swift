import Foundation
import Testing

/// Faults of a real `redis-server` under gates sharing it: stopped mid-run (deny, then local),
/// frozen past the operation timeout (SIGSTOP), restarted with its append-only file (and killed
/// with -9), a gate killed with -9 between reservation and settlement; and the official Python
/// SDK meeting a shared cap. Each test says how many calls ran against the cap.
@Suite("Budget store faults", .timeLimit(.minutes(3)))
struct StoreFaultTests {
    @Test("Redis stopped mid-run, deny: every call gets budget_unavailable with retryAfterMs; after the restart exactly the cap ran")
    func stoppedDeny() async throws {
        let redis = try await RedisServer("fault-deny", appendOnly: true)
        let manifest = #"{"version": 1, "budgets": {"calls": 50, "store": "\#(redis.unixURL())", "storeTimeoutMs": 2000}, "tools": {"echo": {}}, "audit": {"path": "audit.log"}}"#
        let gates = try (0..<2).map { try StoreGate("deny-\($0)", manifest: manifest) }
        for gate in gates { #expect(tally(try await gate.burst(10).values) == ["ran": 10]) }
        redis.stop()
        for gate in gates {
            let answers = try await gate.burst(10, firstID: 100)
            #expect(tally(answers.values) == ["budget_unavailable": 10])
            let entry = answers[100]?["result"]["_meta"]["dev.tollgate/denial"]
            #expect(entry?["rule"].string == "budgets.store" && (entry?["retryAfterMs"].int ?? 0) >= 1, "\(String(describing: answers[100]))")
        }
        try await redis.start()
        try await Task.sleep(for: .milliseconds(2100))
        var after: [String: Int] = [:]
        for gate in gates { after.merge(tally(try await gate.burst(30, firstID: 200).values), uniquingKeysWith: +) }
        #expect(after == ["ran": 30, "budget_exhausted": 30], "\(after)")
        for gate in gates { try await gate.finish() }
        let ran = gates.reduce(0) { $0 + $1.executed }
        #expect(ran == 50, "ran \(ran) against a cap of 50")
        let records = fileLines(gates[0].directory.path("audit.log")).map(\.text).filter { $0.contains(#""event":"budget_store""#) }
        #expect(records.count == 2 && records[0].contains(#""state":"unavailable""#) && records[1].contains(#""state":"available""#), "\(records)")
        #expect(gates[0].gate.stderrText.contains("budget store redis+unix://"), "\(gates[0].gate.stderrText.suffix(1500))")
        print("fault stoppedDeny: \(ran) calls ran against a cap of 50")
    }

    @Test("Redis stopped mid-run, local: each of 3 gates spends at most 10% of the cap alone; the store has it all after the restart")
    func stoppedLocal() async throws {
        let redis = try await RedisServer("fault-local", appendOnly: true)
        let manifest = #"""
            {"version": 1, "budgets": {"calls": 100, "store": "\#(redis.unixURL())", "storeTimeoutMs": 2000, "onStoreFailure": "local", "localShare": 0.1},
             "tools": {"echo": {}}, "audit": {"path": "audit.log"}}
            """#
        let gates = try (0..<3).map { try StoreGate("local-\($0)", manifest: manifest) }
        for gate in gates { #expect(tally(try await gate.burst(30).values) == ["ran": 30]) }
        redis.stop()
        for gate in gates {
            #expect(tally(try await gate.burst(15, firstID: 100).values) == ["ran": 10, "budget_exhausted": 5])
        }
        #expect(gates.reduce(0) { $0 + $1.executed } == 120, "90 before, 3 × 10 during the outage: cap + gates × share × cap = 130 at most")
        try await redis.start()
        #expect(try await redis.cli(["HGET", "{tollgate}:b:global:o", "c"]) == "90")
        try await Task.sleep(for: .milliseconds(2100))
        for gate in gates {
            #expect(tally(try await gate.burst(1, firstID: 200).values) == ["budget_exhausted": 1], "the store is over its cap once the outage is added")
        }
        #expect(try await redis.cli(["HGET", "{tollgate}:b:global:o", "c"]) == "120", "each gate added its 10 local calls")
        for gate in gates { try await gate.finish() }
        let ran = gates.reduce(0) { $0 + $1.executed }
        #expect(ran == 120)
        let records = fileLines(gates[1].directory.path("audit.log")).map(\.text).filter { $0.contains(#""event":"budget_store""#) }
        #expect(records.count == 2 && records[0].contains(#""state":"local""#) && records[1].contains("10 calls"), "\(records)")
        print("fault stoppedLocal: \(ran) calls ran against a cap of 100 (bound 130 for 3 gates at localShare 0.1)")
    }

    @Test("Redis frozen (SIGSTOP) past a 200 ms operation timeout: the call is denied within the timeout; after SIGCONT calls count again, never over the cap")
    func frozen() async throws {
        let redis = try await RedisServer("fault-frozen")
        let manifest = #"{"version": 1, "budgets": {"calls": 20, "store": "\#(redis.unixURL())", "storeTimeoutMs": 200}, "tools": {"echo": {}}}"#
        let gate = try StoreGate("frozen", manifest: manifest)
        #expect(tally(try await gate.burst(5).values)["ran"] ?? 0 >= 1)
        redis.freeze()
        let started = ContinuousClock.now
        let answers = try await gate.burst(3, firstID: 100)
        let waited = started.duration(to: .now)
        #expect(tally(answers.values) == ["budget_unavailable": 3], "\(tally(answers.values))")
        #expect(waited < .milliseconds(1500), "the operation timeout bounds the wait: \(waited)")
        redis.thaw()
        try await Task.sleep(for: .milliseconds(2100))
        let after = tally(try await gate.burst(30, firstID: 200).values)
        try await gate.finish()
        let counted = try await redis.integer(["HGET", "{tollgate}:b:global:o", "c"]) ?? -1
        #expect(gate.executed <= 20 && counted == 20, "ran \(gate.executed), the store counts \(counted): \(after)")
        #expect(counted - gate.executed <= 1, "only the reservation sent when the server froze may be counted without running")
        print("fault frozen: \(gate.executed) calls ran against a cap of 20 (the store counts \(counted))")
    }

    @Test("restarted with its append-only file (SIGTERM, then SIGKILL): the counts stay and the cap holds")
    func appendOnlyRestart() async throws {
        let redis = try await RedisServer("fault-aof", appendOnly: true)
        let manifest = #"{"version": 1, "budgets": {"calls": 10, "store": "\#(redis.unixURL())", "storeTimeoutMs": 2000}, "tools": {"echo": {}}}"#
        let first = try StoreGate("aof-1", manifest: manifest)
        #expect(tally(try await first.burst(4).values) == ["ran": 4])
        try await first.finish()
        redis.stop()
        try await redis.start()
        let second = try StoreGate("aof-2", manifest: manifest)
        #expect(tally(try await second.burst(3).values) == ["ran": 3])
        kill(redis.pid, SIGKILL)
        _ = Spawner.reap(redis.pid, block: true)
        try await redis.start()
        try await Task.sleep(for: .milliseconds(2100))
        let after = tally(try await second.burst(10, firstID: 100).values)
        let counted = try await redis.cli(["HGET", "{tollgate}:b:global:o", "c"])
        #expect(after == ["ran": 3, "budget_exhausted": 7], "\(after); the store counts \(counted); \(second.gate.stderrText.suffix(1500))")
        try await second.finish()
        #expect(first.executed + second.executed == 10)
        print("fault appendOnlyRestart: \(first.executed + second.executed) calls ran against a cap of 10 across a restart and a kill -9")
    }

    @Test("a gate killed with -9 between reservation and settlement: the reservation (call and maxResultTokens) stays counted")
    func gateKilled() async throws {
        let redis = try await RedisServer("fault-kill")
        let manifest = #"""
            {"version": 1, "budgets": {"calls": 1, "store": "\#(redis.unixURL())", "storeTimeoutMs": 2000},
             "tools": {"sleep": {"maxResultTokens": 500}, "echo": {}}}
            """#
        let victim = try StoreGate("kill-victim", manifest: manifest)
        try await victim.gate.send(RPC.toolCall(id: "1", name: "sleep", arguments: #"{"ms":10000}"#))
        let deadline = ContinuousClock.now + .seconds(15)
        while victim.executed == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(victim.executed == 1, "the server started the call")
        kill(victim.gate.pid, SIGKILL)
        #expect(try await redis.cli(["HMGET", "{tollgate}:b:global:o", "c", "r"]) == "1\n500")
        let next = try StoreGate("kill-next", manifest: manifest)
        #expect(tally(try await next.burst(2).values) == ["budget_exhausted": 2])
        try await next.finish()
        print("fault gateKilled: 1 call ran against a cap of 1; the store kept its reservation (1 call, 500 result tokens)")
    }

    @Test("the official Python SDK meets a shared cap as a tool error and goes on", arguments: ["legacy", "auto"])
    func sdk(mode: String) async throws {
        let redis = try await RedisServer("fault-sdk-\(mode)")
        let directory = try TemporaryDirectory("store-sdk-\(mode)")
        let manifest = try writeFile(#"{"version": 1, "budgets": {"calls": 2, "store": "\#(redis.unixURL())", "storeTimeoutMs": 2000}, "tools": {"echo": {}}}"#,
                                     named: "tollgate.json", in: directory)
        // Another gate's call already spent half of the shared cap.
        try await redis.cli(["HSET", "{tollgate}:b:global:o", "c", "1"])
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "echo", "arguments": ["text": "one"]],
            ["op": "call_tool", "name": "echo", "arguments": ["text": "two"]],
            ["op": "list_tools"],
        ]
        let report = try await SDKClient.run(mode: mode, script: script,
                                             command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
                                             extra: ["--env", "FIXTURE_QUIET=1"])
        let steps = try SDKClient.steps(report, count: 3)
        expectSDKSuccess(steps[0], tool: "echo", "the first call")
        let denial = expectSDKDenial(steps[1], code: "budget_exhausted", tool: "echo", rule: "budgets", "the second call")
        #expect(denial["budget"].string == "budgets.calls" && denial["used"].int == 2 && denial["cap"].int == 2, "\(denial)")
        #expect(steps[2]["tools"].strings?.contains("echo") == true, "the session goes on: \(steps[2])")
    }
}
