import Foundation
import Testing

/// Gate processes sharing one real `redis-server`: caps, decimal costs and rates exact across 8
/// gates sending pipelined calls; per-agent and per-workflow scopes; `budget show` and `budget
/// reset` on the store.
@Suite("Shared budgets across gates on Redis", .timeLimit(.minutes(3)))
struct StoreGateTests {
    /// The store settings of these tests: an operation timeout of 2 s instead of 50 ms, so that a
    /// loaded test machine cannot turn a slow answer into a denial (the timeout itself is tested
    /// in the fault tests).
    private func store(_ redis: RedisServer) -> String { #""store": "\#(redis.unixURL())", "storeTimeoutMs": 2000"# }

    /// 8 gates each sending `perGate` calls at once; returns every answer and the calls the servers ran.
    private func eightGates(_ label: String, manifest: String, perGate: Int) async throws -> (answers: [String: Int], executed: Int, gates: [StoreGate]) {
        let gates = try (0..<8).map { try StoreGate("\(label)-\($0)", manifest: manifest) }
        let answers = try await withThrowingTaskGroup(of: [String: Int].self) { group in
            for gate in gates { group.addTask { tally(try await gate.burst(perGate).values) } }
            var all: [String: Int] = [:]
            for try await part in group { all.merge(part, uniquingKeysWith: +) }
            return all
        }
        for gate in gates { try await gate.finish() }
        return (answers, gates.reduce(0) { $0 + $1.executed }, gates)
    }

    @Test("8 gates × 30 pipelined calls against a cap of 100: servers ran exactly 100, the store says 100")
    func callCap() async throws {
        let redis = try await RedisServer("gates-cap")
        let manifest = #"{"version": 1, "budgets": {"calls": 100, \#(store(redis))}, "tools": {"echo": {}}}"#
        let (answers, executed, _) = try await eightGates("cap", manifest: manifest, perGate: 30)
        #expect(answers == ["ran": 100, "budget_exhausted": 140], "\(answers)")
        #expect(executed == 100)
        #expect(try await redis.cli(["HGET", "{tollgate}:b:global:o", "c"]) == "100")
    }

    @Test("a decimal cost cap across 8 gates: 0.1 per call against 7.3 runs exactly 73; the store holds 7.3 in millionths")
    func decimalCost() async throws {
        let redis = try await RedisServer("gates-cost")
        let manifest = #"{"version": 1, "budgets": {"cost": 7.3, \#(store(redis))}, "tools": {"echo": {"cost": 0.1}}}"#
        let (answers, executed, _) = try await eightGates("cost", manifest: manifest, perGate: 20)
        #expect(answers == ["ran": 73, "budget_exhausted": 87], "\(answers)")
        #expect(executed == 73)
        #expect(try await redis.cli(["HGET", "{tollgate}:b:global:o", "m"]) == "7300000")
    }

    @Test("a rate of 20/s shared by 8 gates: in no window of the run did more calls pass than burst + rate × its length")
    func sharedRate() async throws {
        let redis = try await RedisServer("gates-rate")
        let manifest = #"{"version": 1, "budgets": {"rate": "20/s", \#(store(redis))}, "tools": {"echo": {}}, "audit": {"path": "audit.log"}}"#
        let gates = try (0..<8).map { try StoreGate("rate-\($0)", manifest: manifest) }
        let started = ContinuousClock.now
        let passed = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, gate) in gates.enumerated() {
                group.addTask {
                    var passed = 0
                    for wave in 0..<12 {
                        passed += try await gate.burst(4, firstID: wave * 10 + 1).values.filter { denialCode($0) == nil }.count
                        try await Task.sleep(for: .milliseconds(90 + index * 3))
                    }
                    return passed
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = started.duration(to: .now)
        for gate in gates { try await gate.finish() }
        #expect(gates.reduce(0) { $0 + $1.executed } == passed)
        // When each allowed call was decided: its decision record's time, written right after
        // its reservation (microseconds; one clock for every gate of this machine).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let times = gates.flatMap { gate in
            fileLines(gate.directory.path("audit.log")).map(\.text).filter { $0.contains(#""decision":"allowed""#) }.compactMap { line -> Double? in
                guard let range = line.range(of: #""time":""#), let end = line[range.upperBound...].firstIndex(of: "\"") else { return nil }
                return formatter.date(from: String(line[range.upperBound..<end]))?.timeIntervalSince1970
            }
        }.sorted()
        #expect(times.count == passed)
        // Burst 20, 20 more per second; 100 ms for a record written after its reservation (on a
        // loaded machine a gate may wait that long for a CPU in between). Rates per gate let
        // through 7 times as much.
        var worst = 0.0
        for first in times.indices {
            for last in first..<times.count {
                let allowed = 20 + 20 * (times[last] - times[first] + 0.1)
                worst = Swift.max(worst, Double(last - first + 1) / allowed)
            }
        }
        #expect(worst <= 1, "some window let through \(worst) × what the rate allows")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(passed >= 20 && Double(passed) <= 20 + 20 * seconds + 1, "\(passed) passed in \(seconds) s")
    }

    @Test("two agents capped separately; one workflow shared by gates in different folders; budget show per scope; budget reset")
    func scopes() async throws {
        let redis = try await RedisServer("gates-scopes")
        let manifest = #"""
            {"version": 1, "budgets": {"calls": 3, \#(store(redis)), "namespace": "team", "scope": "agent"},
             "tools": {"echo": {"budget": {"calls": 4, "scope": "workflow"}}},
             "audit": {"path": "audit.log"}}
            """#
        let alice = try StoreGate("scope-alice", manifest: manifest, options: ["--agent", "alice", "--workflow", "wf-1"])
        let bob = try StoreGate("scope-bob", manifest: manifest, environment: ["TOLLGATE_AGENT": "bob", "TOLLGATE_WORKFLOW": "wf-1"])
        let carol = try StoreGate("scope-carol", manifest: manifest, options: ["--agent", "carol", "--workflow", "wf-2"])
        let fromAlice = try await alice.burst(5), fromBob = try await bob.burst(5), fromCarol = try await carol.burst(5)
        #expect(tally(fromAlice.values) == ["ran": 3, "budget_exhausted": 2])
        #expect(tally(fromBob.values) == ["ran": 1, "budget_exhausted": 4], "wf-1's 4 calls: alice ran 3, bob 1")
        #expect(fromBob[2].map { $0["result"]["_meta"]["dev.tollgate/denial"]["budget"].string } == "tools.echo.budget.calls")
        #expect(tally(fromCarol.values) == ["ran": 3, "budget_exhausted": 2])
        for gate in [alice, bob, carol] { try await gate.finish() }
        #expect(alice.executed + bob.executed + carol.executed == 7)
        // The audit records name the agent given (not the client's name) and the workflow.
        let decision = fileLines(alice.directory.path("audit.log")).map(\.text).first { $0.contains(#""event":"decision""#) } ?? ""
        #expect(decision.contains(#""agent":"alice""#) && decision.hasSuffix(#""workflow":"wf-1","hash":"# + decision.split(separator: "\"").dropLast().last.map { "\"\($0)\"}" }!), "\(decision)")

        let show = try await runTollgate(["budget", "show", "--manifest", alice.directory.path("tollgate.json"), "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let rows = try JSON(parsing: show.stdout)["budgets"].array ?? []
        let calls = rows.filter { $0["counter"].string == "calls" }.map { "\($0["spendScope"].string ?? "?") \($0["budget"].string ?? "?") \($0["used"].int ?? -1)" }
        #expect(calls.sorted() == ["agent:alice budgets.calls 3", "agent:bob budgets.calls 1", "agent:carol budgets.calls 3",
                                   "workflow:wf-1 tools.echo.budget.calls 4", "workflow:wf-2 tools.echo.budget.calls 3"], "\(calls)")
        let text = try await runTollgate(["budget", "show", "--manifest", alice.directory.path("tollgate.json"), "--scope", "workflow:wf-1"])
        #expect(text.status == 0 && text.stdoutText.contains("workflow:wf-1  tools.echo.budget.calls  4 (100%)") && !text.stdoutText.contains("agent:"), "\(text.stdoutText)")

        let reset = try await runTollgate(["budget", "reset", "--manifest", alice.directory.path("tollgate.json"), "--scope", "workflow:wf-1", "--budget", "tools.echo.budget"])
        #expect(reset.status == 0 && reset.stdoutText.contains("1 key deleted"), "\(reset.stdoutText) \(reset.stderr)")
        #expect(try await redis.cli(["EXISTS", "{team}:b:workflow%3Awf-1:r:echo"]) == "0")
        #expect(try await redis.cli(["HGET", "{team}:b:agent%3Aalice:o", "c"]) == "3", "other scopes stay")
        let record = fileLines(alice.directory.path("audit.log")).map(\.text).last ?? ""
        #expect(record.contains(#""event":"budget_reset""#) && record.contains(#""spendScope":"workflow:wf-1""#) && record.contains(#""keys":1"#), "\(record)")
        #expect(try await runTollgate(["audit", "verify", alice.directory.path("audit.log")]).status == 0)
    }

    @Test("a gate that needs an agent's name and has none does not start, and says how to give one")
    func scopeWithoutName() async throws {
        let redis = try await RedisServer("gates-noname")
        let gate = try StoreGate("noname", manifest: #"{"version": 1, "budgets": {"calls": 3, "store": "\#(redis.unixURL())", "scope": "agent"}, "tools": {"echo": {}}}"#,
                                 environment: ["TOLLGATE_AGENT": nil])
        gate.gate.closeInput()
        #expect(try await gate.gate.waitForExit(timeout: .seconds(20)) != 0)
        #expect(gate.gate.stderrText.contains("--agent NAME"), "\(gate.gate.stderrText)")
    }

    @Test("the store's password reaches Tollgate, not the server; a reload changes the cap, keeps the counts, and refuses another store")
    func passwordAndReload() async throws {
        let redis = try await RedisServer("gates-reload", password: "s3cret-pw")
        func manifest(calls: Int, db: Int = 0) -> String {
            #"{"version": 1, "budgets": {"calls": \#(calls), "store": "\#(redis.unixURL(db: db))", "storePassword": "${STORE_PW}", "storeTimeoutMs": 2000}, "tools": {"echo": {}, "env": {}}}"#
        }
        let gate = try StoreGate("reload", manifest: manifest(calls: 3), environment: ["STORE_PW": "s3cret-pw"])
        let environment = try await gate.burst(1, firstID: 1, tool: "env", arguments: "{}")
        let text = resultText(try #require(environment[1])) ?? ""
        #expect(text.contains("FIXTURE_EXECUTED") && !text.contains("STORE_PW") && !text.contains("s3cret-pw"), "the server's environment: \(text)")
        #expect(tally(try await gate.burst(3, firstID: 10).values) == ["ran": 2, "budget_exhausted": 1])

        _ = try writeFile(manifest(calls: 5), named: "tollgate.json", in: gate.directory)
        kill(gate.gate.pid, SIGHUP)
        try await waitFor("the reload") { gate.gate.stderrText.contains("reloaded") }
        #expect(tally(try await gate.burst(3, firstID: 20).values) == ["ran": 2, "budget_exhausted": 1], "3 counted before, 2 more under the new cap of 5")

        _ = try writeFile(manifest(calls: 50, db: 1), named: "tollgate.json", in: gate.directory)
        kill(gate.gate.pid, SIGHUP)
        try await waitFor("the refusal") { gate.gate.stderrText.contains("budgets.store or a budget's scope changed") }
        #expect(tally(try await gate.burst(1, firstID: 30).values) == ["budget_exhausted": 1], "the running store and cap stay")
        try await gate.finish()
        #expect(try await redis.cli(["HGET", "{tollgate}:b:global:o", "c"]) == "5")
    }
}

