import Foundation
import Testing

/// The invariants of a call's path through the gate, end to end with real processes: no call
/// reaches a server before its `allowed` decision is in the audit log and its budget reservation
/// in the ledger; budgets shared by several processes stay exact; a `kill -9` at any moment loses
/// no decision of a call that ran. The fixture server checks the first at the moment a call
/// arrives (`FIXTURE_AUDIT_CHECK`, `FIXTURE_LEDGER_CHECK`): a call whose records are not on file
/// yet is answered with an error and listed in `early.log`.
@Suite("Call path invariants", .timeLimit(.minutes(2)))
struct CallPathInvariantTests {
    /// One configuration of the ordering test.
    struct Setup: Sendable, CustomTestStringConvertible {
        var fsync: String
        var ledger: Bool
        var servers: Int

        var testDescription: String { "fsync \(fsync), \(ledger ? "call budget in a ledger" : "no ledger"), \(servers) server\(servers == 1 ? "" : "s")" }

        static let all = ["batch", "always"].flatMap { fsync in
            [false, true].flatMap { ledger in [1, 2].map { Setup(fsync: fsync, ledger: ledger, servers: $0) } }
        }
    }

    /// A manifest with an audit log (full arguments, so several servers' calls can be told apart
    /// by them; none when `audit` is false) and, with `cap`, a call budget in the ledger;
    /// `servers` 2: fixtures `a` and `b`.
    static func manifest(_ files: CallPathFiles, audit: Bool = true, fsync: String = "batch", cap: Int?, servers: Int = 1) throws -> String {
        let audit = audit ? #", "audit": {"path": "\#(try jsonEscaped(files.audit))", "arguments": "full", "fsync": "\#(fsync)"}"# : ""
        let budgets = try cap.map { #", "budgets": {"calls": \#($0), "ledger": "\#(try jsonEscaped(files.ledger))"}"# } ?? ""
        guard servers == 2 else { return #"{"version": 1, "tools": {"echo": {}, "big": {}}\#(audit)\#(budgets)}"# }
        let fixture = #"{"command": "python3", "args": ["\#(try jsonEscaped(Repository.fixtureServer))"]"#
        return #"""
            {"version": 1, "servers": {"a": \#(fixture), "env": {"FIXTURE_NAME": "a"}}, "b": \#(fixture), "env": {"FIXTURE_NAME": "b"}}},
             "tools": {"a__echo": {}, "b__echo": {}}\#(audit)\#(budgets)}
            """#
    }

    /// tollgate with the manifest at `path` in front of one fixture server, or of the manifest's
    /// servers; `environment` reaches the servers too.
    static func startGate(_ path: String, servers: Int = 1, environment: [String: String?], in directory: TemporaryDirectory) throws -> GateProcess {
        let server = servers == 1 ? ["--"] + GateProcess.fixtureServer : []
        return try GateProcess(tollgate: ["run", "--manifest", path] + server, environment: environment, in: directory)
    }

    @Test("200 calls sent at once: each reaches its server only after its allowed decision (and its reservation) is on file",
          arguments: Setup.all)
    func ordering(_ setup: Setup) async throws {
        let directory = try TemporaryDirectory("call-order")
        let files = CallPathFiles(in: directory)
        let manifest = try writeFile(try Self.manifest(files, fsync: setup.fsync, cap: setup.ledger ? 100_000 : nil, servers: setup.servers),
                                     named: "manifest.json", in: directory)
        let environment = files.fixtureEnvironment(match: setup.servers == 1 ? "id" : "arguments", checkingLedger: setup.ledger)
        let gate = try Self.startGate(manifest, servers: setup.servers, environment: environment, in: directory)
        try await initialize(gate)
        let tags = (0..<200).map { "c\($0)" }
        let calls = tags.enumerated().map { index, tag in
            taggedCall(tag, tool: setup.servers == 1 ? "echo" : ["a__echo", "b__echo"][index % 2])
        }
        let started = ContinuousClock.now
        let answers = try await sendAtOnce(gate, calls)
        let elapsed = started.duration(to: .now)
        let wrong = zip(tags, calls).filter { answers[$1.id] != .result($0) }.map { "\($1.id): \(answers[$1.id]?.description ?? "none")" }
        #expect(wrong.isEmpty, "calls not answered by the server with their text: \(wrong.prefix(3))")
        #expect(files.earlyCalls.isEmpty, "calls that reached a server before their records: \(files.earlyCalls.prefix(3))")
        #expect(files.executedIDs.count == 200)
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")

        let decisions = try AuditDecisions(files.audit)
        let unrecorded = calls.filter { decisions.allowed[$0.id] != 1 }.map(\.id)
        #expect(unrecorded.isEmpty && decisions.allowedCount == 200, "calls without exactly one allowed decision: \(unrecorded.prefix(5))")
        if setup.servers == 1 {
            #expect(Set(files.executedIDs) == Set(calls.map(\.id)), "the server ran the calls under the ids the client sent")
        }
        let problems = try await files.auditProblems()
        #expect(problems == nil, "\(problems ?? "")")
        if setup.ledger {
            #expect(try await files.ledgerCalls(manifest: manifest) == 200)
        }
        Swift.print("call order (\(setup.testDescription)): 200 calls at once answered in \(elapsed), \(decisions.recordCount) audit records")
    }

    @Test("4 gates on one ledger (cap 60) and one audit log, 40 calls each at once: exactly 60 run, each with its allowed decision; the rest are denied on record")
    func capSpentByOthers() async throws {
        let shared = try TemporaryDirectory("call-cap-race")
        let files = CallPathFiles(in: shared)
        let cap = 60, gateCount = 4, callsEach = 40
        let manifest = try writeFile(try Self.manifest(files, cap: cap), named: "manifest.json", in: shared)
        let gates = try (0..<gateCount).map { _ in
            try Self.startGate(manifest, environment: files.fixtureEnvironment(checkingLedger: true), in: shared)
        }
        for gate in gates { try await initialize(gate) }
        let answers = try await withThrowingTaskGroup(of: [String: CallAnswer].self) { group in
            for (index, gate) in gates.enumerated() {
                group.addTask { try await sendAtOnce(gate, (0..<callsEach).map { taggedCall("g\(index)c\($0)") }) }
            }
            return try await group.reduce(into: [String: CallAnswer]()) { $0.merge($1) { first, _ in first } }
        }
        for gate in gates {
            gate.closeInput()
            #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
        }
        #expect(answers.count == gateCount * callsEach)
        let ran = answers.filter { $0.value.isResult }.keys
        let refused = answers.filter { $0.value == .denied("budget_exhausted") }.keys
        #expect(ran.count == cap && refused.count == gateCount * callsEach - cap,
                "\(ran.count) ran, \(refused.count) refused; others: \(answers.filter { !ran.contains($0.key) && !refused.contains($0.key) }.prefix(3))")
        let executed = files.executedIDs
        #expect(executed.count == cap && Set(executed) == Set(ran), "executed \(executed.count): \(executed.prefix(5))")
        #expect(files.earlyCalls.isEmpty, "calls that reached a server before their records: \(files.earlyCalls.prefix(3))")

        let decisions = try AuditDecisions(files.audit)
        #expect(decisions.allowedCount == cap, "allowed records: \(decisions.allowedCount)")
        let ranUnrecorded = ran.filter { decisions.allowed[$0] != 1 || decisions.denied[$0] != nil }
        #expect(ranUnrecorded.isEmpty, "calls that ran without exactly one allowed decision: \(ranUnrecorded.prefix(5))")
        let refusedMisrecorded = refused.filter { decisions.allowed[$0] != nil || decisions.denied[$0] != ["budget_exhausted"] }
        #expect(refusedMisrecorded.isEmpty, "refused calls not recorded as denied (budget_exhausted) alone: \(refusedMisrecorded.prefix(5))")
        let problems = try await files.auditProblems()
        #expect(problems == nil, "\(problems ?? "")")
        #expect(try await files.ledgerCalls(manifest: manifest) == cap)
    }

    @Test("kill -9 loop, 3 gates per run on one ledger and one audit log: verify passes, every executed call has its allowed decision, the ledger counts at least what ran and never passes its cap")
    func killLoop() async throws {
        let shared = try TemporaryDirectory("call-kill-loop")
        let files = CallPathFiles(in: shared)
        // Each run reserves at least the survivors' 60 calls and at most 90: the cap is reached
        // in one of the last three runs, so the kills of the first five land while calls are
        // being allowed and run, and the last runs refuse calls for the cap.
        let cap = 470, runs = 8, gateCount = 3, callsEach = 30
        let manifest = try writeFile(try Self.manifest(files, cap: cap), named: "manifest.json", in: shared)
        var generator = SystemRandomNumberGenerator()
        var answers: [String: CallAnswer] = [:]
        var victimCalls: [Set<String>] = []
        for run in 0..<runs {
            let runDirectory = try TemporaryDirectory("call-kill-\(run)")
            let gates = try (0..<gateCount).map { _ in
                try Self.startGate(manifest, environment: files.fixtureEnvironment(checkingLedger: true), in: runDirectory)
            }
            // The victim's calls (`big`: a 100 KiB result each) keep its server busy long enough
            // for the kill to find calls decided and forwarded but not run yet.
            let victimIndex = run % gateCount
            let calls = (0..<gateCount).map { index in
                (0..<callsEach).map { call in
                    let tag = "r\(run)g\(index)c\(call)"
                    return index == victimIndex ? (id: "\"\(tag)\"", line: RPC.toolCall(id: "\"\(tag)\"", name: "big", arguments: #"{"mb":0.1}"#)) : taggedCall(tag)
                }
            }
            for (gate, calls) in zip(gates, calls) { try await gate.send(calls.map(\.line).joined(separator: "\n")) }
            // Kill the victim at a random moment: soon after it started its server (while it
            // decides, reserves, records and forwards), or once its server answered a few calls.
            let victim = gates[victimIndex]
            victimCalls.append(Set(calls[victimIndex].map(\.id)))
            if Bool.random(using: &generator) {
                _ = try await victim.serverPID()
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...30, using: &generator)))
            } else {
                for _ in 0..<Int.random(in: 1...20, using: &generator) { _ = try await victim.readJSON() }
            }
            kill(victim.pid, SIGKILL)
            #expect(try await victim.waitForExit() == 128 + SIGKILL)
            for gate in gates where gate !== victim {
                for _ in 0..<callsEach {
                    let response = try await gate.readJSON()
                    let id = try #require(response["id"].string, "\(response)")
                    answers["\"\(id)\""] = CallAnswer(response)
                }
                gate.closeInput()
                #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
            }
        }
        // The killed gates' servers die with them (PR_SET_PDEATHSIG); give their last writes a moment.
        try await Task.sleep(for: .milliseconds(200))
        let problems = try await files.auditProblems()
        #expect(problems == nil, "\(problems ?? "")")
        #expect(files.earlyCalls.isEmpty, "calls that reached a server before their records: \(files.earlyCalls.prefix(3))")
        let decisions = try AuditDecisions(files.audit)
        let executed = files.executedIDs
        let ran = Set(executed)
        #expect(ran.count == executed.count, "a call ran twice")
        let unrecorded = executed.filter { decisions.allowed[$0] != 1 }
        #expect(unrecorded.isEmpty, "calls that ran without exactly one allowed decision on record: \(unrecorded.prefix(5))")

        // The survivors' answers: a call answered by its server ran and is allowed on record; a
        // call refused for the cap never ran and is denied on record, never allowed.
        let refused = answers.filter { $0.value == .denied("budget_exhausted") }.keys
        let others = answers.filter { !$0.value.isResult && $0.value != .denied("budget_exhausted") }
        #expect(others.isEmpty, "answers neither a result nor budget_exhausted: \(others.prefix(3))")
        let refusedMisrecorded = refused.filter { decisions.allowed[$0] != nil || decisions.denied[$0] != ["budget_exhausted"] || ran.contains($0) }
        #expect(refusedMisrecorded.isEmpty, "refused calls that ran or are not recorded as denied (budget_exhausted) alone: \(refusedMisrecorded.prefix(5))")
        #expect(!refused.isEmpty, "the cap was reached")
        // Kills that landed between a call's decision and its run: the victim has allowed calls that never ran.
        let killedInFlight = victimCalls.filter { ids in ids.contains { decisions.allowed[$0] != nil && !ran.contains($0) } }.count
        #expect(killedInFlight > 0, "no kill landed between a call's decision and its run")

        // "Exact" under kill -9: the ledger counts reservations, and a call's reservation is held
        // before its decision is written and before it is forwarded. A gate killed in between
        // leaves a reservation for a call that never ran (nor perhaps got its record): it stays
        // counted, since it may have run. So: what ran ≤ allowed decisions ≤ reservations ≤ cap,
        // and since a call costs 1 and is refused only when none is left, reservations == cap
        // once any call was refused for the cap.
        let used = try await files.ledgerCalls(manifest: manifest)
        #expect(executed.count <= decisions.allowedCount && decisions.allowedCount <= used && used <= cap,
                "ran \(executed.count), allowed on record \(decisions.allowedCount), reserved \(used), cap \(cap)")
        #expect(used == cap, "the ledger counts \(used) calls after calls were refused for a cap of \(cap)")
        Swift.print("""
            call-path kill loop: \(executed.count) calls ran, \(decisions.allowedCount) allowed on record, \(used) reserved (cap \(cap)), \
            \(refused.count) refused, \(killedInFlight) of \(runs) victims killed with allowed calls not run
            """)
    }
}
