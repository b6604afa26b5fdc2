import Foundation
import Testing

/// The audit trail of a running gate: every decision recorded, the chain verifiable, tampering
/// detected, and a call that cannot be recorded refused.
@Suite("Audit trail", .timeLimit(.minutes(2)))
struct AuditTests {
    static func manifest(auditPath: String) -> String {
        """
        {"version": 1, "tools": {"echo": {}, "add": {"allow": false, "reason": "no sums today"}},
         "audit": {"path": "\(auditPath)", "arguments": "redacted", "fsync": "always"}}
        """
    }

    @Test("decisions, outcomes and lifecycle are recorded; verify passes; an edit is caught")
    func recordsAndVerifies() async throws {
        let directory = try TemporaryDirectory("audit")
        let auditPath = directory.path("audit.log")
        let session = try PolicySession("audit-run", manifest: Self.manifest(auditPath: auditPath))
        _ = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"hi","api_key":"sk-live-0123456789abcdef"}"#))
        let denied = try await session.call(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":1,"b":2}"#))
        #expect(denied["result"]["isError"].bool == true)
        #expect(try await session.finish() == 0)

        let text = try String(contentsOfFile: auditPath, encoding: .utf8)
        let records = try text.split(separator: "\n").map { try JSON(parsing: Array($0.utf8)) }
        #expect(records.count == 5, "\(text)")
        #expect(records.first?["event"].string == "start" && records.last?["event"].string == "server_exit", "\(text)")
        #expect(records.first?["manifestSha256"].string?.count == 64)
        let allowed = try #require(records.first { $0["event"].string == "decision" && $0["tool"].string == "echo" })
        #expect(allowed["decision"].string == "allowed")
        let deniedIndex = try #require(records.firstIndex { $0["event"].string == "decision" && $0["tool"].string == "add" })
        let deniedRecord = records[deniedIndex]
        #expect(deniedRecord["decision"].string == "denied" && deniedRecord["code"].string == "tool_denied" && deniedRecord["rule"].string == "tools.add")
        let outcome = try #require(records.first { $0["event"].string == "outcome" })
        #expect(outcome["tool"].string == "echo" && outcome["outcome"]["isError"].bool == false)
        #expect(!text.contains("sk-live-0123456789abcdef"), "the planted secret must be redacted: \(text)")

        let verified = try await runTollgate(["audit", "verify", auditPath])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdoutText.contains("5 records"), "\(verified.stdoutText)")

        let summary = try await runTollgate(["audit", "summary", "--json", auditPath])
        let totals = try JSON(parsing: summary.stdout)
        #expect(summary.status == 0)
        #expect(totals["decisions"].int == 2, "\(summary.stdoutText)")

        let edited = text.replacingOccurrences(of: #""decision":"denied""#, with: #""decision":"allowed""#)
        try edited.write(toFile: auditPath, atomically: false, encoding: .utf8)
        let tampered = try await runTollgate(["audit", "verify", auditPath])
        #expect(tampered.status != 0)
        #expect(tampered.stderr.contains("audit.log:\(deniedIndex + 1) "), "the first bad record is named: \(tampered.stderr)")
    }

    @Test("with budgets, a decision records what is left and the outcome the result's estimated tokens")
    func outcomeTokens() async throws {
        let directory = try TemporaryDirectory("audit-tokens")
        let auditPath = directory.path("audit.log")
        let session = try PolicySession("audit-tokens", manifest: """
            {"version": 1, "tools": {"echo": {"cost": 0.25}}, "budgets": {"calls": 10, "cost": 2, "resultTokens": 100000},
             "audit": {"path": "\(auditPath)", "arguments": "digest"}}
            """)
        let text = String(repeating: "word ", count: 200)
        let answer = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"\#(text)"}"#))
        #expect(answer["result"]["isError"].bool != true, "\(answer)")
        #expect(try await session.finish() == 0)
        let lines = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSON(parsing: Array($0.utf8)) }
        let decision = try #require(records.first { $0["event"].string == "decision" })
        #expect(decision["budgets"]["budgets.calls"].int == 9, "\(decision)")
        #expect((decision["budgets"]["budgets.cost"].value as? NSNumber)?.doubleValue == 1.75, "\(decision)")
        #expect(decision["budgets"]["budgets.resultTokens"].int == 100000, "\(decision)")
        let outcome = try #require(records.first { $0["event"].string == "outcome" })
        let tokens = try #require(outcome["outcome"]["tokens"].int, "\(outcome)")
        // 1,000 characters of text: the estimator gives a few hundred tokens, never zero.
        #expect(tokens > 100 && tokens < 1000, "\(outcome)")
    }

    @Test("a withheld result and a timeout are recorded with their codes (result_too_large, timeout), and summary counts them by code")
    func outcomeCodes() async throws {
        let directory = try TemporaryDirectory("audit-codes")
        let auditPath = directory.path("audit.log")
        let session = try PolicySession("audit-codes", manifest: """
            {"version": 1, "tools": {"echo": {}, "big": {"maxResultTokens": 100}, "sleep": {"timeoutSeconds": 0.5}},
             "audit": {"path": "\(try jsonEscaped(auditPath))", "arguments": "full"}}
            """)
        let echo = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"fine"}"#))
        #expect(resultText(echo) == "fine", "\(echo)")
        let big = try await session.call(RPC.toolCall(id: "2", name: "big", arguments: #"{"mb":0.01}"#))
        #expect(big["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "result_too_large", "\(big)")
        let slow = try await session.call(RPC.toolCall(id: "3", name: "sleep", arguments: #"{"ms":10000}"#))
        #expect(slow["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "timeout", "\(slow)")
        #expect(try await session.finish() == 0)

        let records = try fileLines(auditPath).map { try JSON(parsing: $0) }
        func outcome(_ tool: String) -> JSON? { records.first { $0["event"].string == "outcome" && $0["tool"].string == tool } }
        #expect(outcome("echo")?["code"].exists == false, "a relayed answer has no code: \(records)")
        #expect(outcome("big")?["code"].string == "result_too_large", "\(records)")
        #expect(outcome("big")?["outcome"]["isError"].bool == true)
        #expect(outcome("sleep")?["code"].string == "timeout", "\(records)")
        // Allowed, all three: the codes are the outcomes', not denials of the decisions.
        #expect(records.filter { $0["event"].string == "decision" }.allSatisfy { $0["decision"].string == "allowed" && !$0["code"].exists })
        #expect(try await runTollgate(["audit", "verify", auditPath]).status == 0)

        let summary = try await runTollgate(["audit", "summary", "--json", auditPath])
        #expect(summary.status == 0, "\(summary.stderr)")
        let figures = try JSON(parsing: summary.stdout)
        let rows = try #require(figures["tools"].array)
        func row(_ tool: String) -> JSON? { rows.first { $0["tool"].string == tool } }
        #expect(row("big")?["outcomeByCode"]["result_too_large"].int == 1, "\(summary.stdoutText)")
        #expect(row("sleep")?["outcomeByCode"]["timeout"].int == 1, "\(summary.stdoutText)")
        #expect(row("echo")?["outcomeByCode"].object?.isEmpty == true, "\(summary.stdoutText)")
        #expect(figures["totals"]["outcomeByCode"]["timeout"].int == 1 && figures["totals"]["outcomeByCode"]["result_too_large"].int == 1)
        #expect(figures["totals"]["allowed"].int == 3 && figures["totals"]["denied"].int == 0, "\(summary.stdoutText)")
        let table = try await runTollgate(["audit", "summary", auditPath])
        #expect(table.stdoutText.contains("outcome:result_too_large:1 outcome:timeout:1"), "\(table.stdoutText)")
    }

    @Test("two Tollgate processes writing one log at once keep one valid chain (fsync batch, records interleaved)")
    func twoProcessesOneChain() async throws {
        let directory = try TemporaryDirectory("audit-two")
        let auditPath = directory.path("audit.log")
        let manifest = """
            {"version": 1, "tools": {"echo": {}, "add": {"allow": false, "reason": "no sums today"}},
             "audit": {"path": "\(auditPath)", "arguments": "full", "fsync": "batch"}}
            """
        let sessions = try [PolicySession("audit-two-a", manifest: manifest), PolicySession("audit-two-b", manifest: manifest)]
        // Both gates have each call in flight before either answer is read, so their records interleave.
        for round in 0..<40 {
            for (index, session) in sessions.enumerated() {
                let name = round % 5 == 4 ? "add" : "echo"
                try await session.gate.send(RPC.toolCall(id: "\(round)", name: name, arguments: #"{"text":"gate \#(index) call \#(round)","a":1,"b":2}"#))
            }
            for session in sessions {
                let answer = try await session.gate.readJSON()
                #expect(answer["id"].int == round, "\(answer)")
            }
        }
        for session in sessions { #expect(try await session.finish() == 0) }

        let verified = try await runTollgate(["audit", "verify", auditPath])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let records = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n").map { try JSON(parsing: Array($0.utf8)) }
        // Per gate: start, 40 decisions, 32 outcomes (8 calls denied), server_exit.
        let perGate = 1 + 40 + 32 + 1
        #expect(records.count == 2 * perGate, "\(records.count) records")
        #expect(Set(records.compactMap { $0["run"].string }).count == 2, "both runs wrote into the one chain")
        let runs = records.compactMap { $0["run"].string }
        #expect(zip(runs, runs.dropFirst()).contains { $0 != $1 }, "the two runs' records interleave")
    }

    @Test("a call that cannot be recorded is refused (audit_unavailable); Tollgate does not start without its log")
    func failsClosed() async throws {
        let directory = try TemporaryDirectory("audit-full")
        let auditPath = directory.path("audit.log")
        let session = try PolicySession("audit-fail", manifest: Self.manifest(auditPath: auditPath))
        let first = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"recorded"}"#))
        #expect(first["result"]["isError"].bool != true, "\(first)")
        // The disk "fills up": the log now leads to /dev/full (every write fails with ENOSPC).
        try FileManager.default.removeItem(atPath: auditPath)
        try FileManager.default.createSymbolicLink(atPath: auditPath, withDestinationPath: "/dev/full")
        let refused = try await session.call(RPC.toolCall(id: "2", name: "echo", arguments: #"{"text":"unrecorded"}"#))
        #expect(refused["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "audit_unavailable", "\(refused)")
        _ = try await session.sync()
        #expect(!session.serverLogText.contains { $0.contains("unrecorded") }, "the unrecorded call never reached the server")
        _ = try await session.finish()

        let startup = try await runTollgate(["run", "--manifest", try writeFile(Self.manifest(auditPath: "/dev/full"), named: "m.json", in: directory),
                                             "--", "python3", Repository.fixtureServer])
        #expect(startup.status == 1, "\(startup.stderr)")
        #expect(startup.stderr.contains("will not run without it"), "\(startup.stderr)")
    }
}
