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
        #expect(records.count == 6, "\(text)")
        #expect(records.first?["event"].string == "file_start" && records.last?["event"].string == "server_exit", "\(text)")
        #expect(records[1]["event"].string == "start" && records[1]["manifestSha256"].string?.count == 64, "\(text)")
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
        #expect(verified.stdoutText.contains("6 records in 1 file, seq 1 to 6"), "\(verified.stdoutText)")

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

    @Test("verify reports the seq range; it fails a log whose head was cut and an empty log; --from accepts a log that legitimately starts later")
    func cutHeadAndEmpty() async throws {
        let directory = try TemporaryDirectory("audit-head")
        let auditPath = directory.path("audit.log")
        let session = try PolicySession("audit-head", manifest: Self.manifest(auditPath: auditPath))
        for id in 1...3 { _ = try await session.call(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"call \#(id)"}"#)) }
        #expect(try await session.finish() == 0)
        let lines = fileLines(auditPath)
        let first = try JSON(parsing: try #require(lines.first))
        #expect(first["event"].string == "file_start" && first["seq"].int == 1, "\(first)")
        let whole = try await runTollgate(["audit", "verify", auditPath])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdoutText.hasPrefix("OK: \(lines.count) records in 1 file, seq 1 to \(lines.count), chain intact"), "\(whole.stdoutText)")

        // The first three records cut (the file_start record, the start record and a decision).
        let cutPath = directory.path("cut.log")
        try Data(lines.dropFirst(3).flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: cutPath))
        let cut = try await runTollgate(["audit", "verify", cutPath])
        #expect(cut.status == 1, "a cut head must fail: \(cut.stdoutText)\(cut.stderr)")
        #expect(cut.stderr.contains("cut.log:1") && cut.stderr.contains("does not start with a file_start record"), "\(cut.stderr)")
        // Cut on purpose at a known place: --from says where the log now starts.
        let accepted = try await runTollgate(["audit", "verify", "--from", "4", cutPath])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdoutText.contains("seq 4 to \(lines.count)") && accepted.stdoutText.contains("as --from says"), "\(accepted.stdoutText)")
        let wrongStart = try await runTollgate(["audit", "verify", "--from=2", cutPath])
        #expect(wrongStart.status == 1 && wrongStart.stderr.contains("not at seq 2"), "\(wrongStart.stderr)")

        let emptyPath = try writeFile("", named: "empty.log", in: directory)
        let empty = try await runTollgate(["audit", "verify", emptyPath])
        #expect(empty.status == 1, "an empty log proves nothing: \(empty.stdoutText)\(empty.stderr)")
        #expect(empty.stderr.contains("no records"), "\(empty.stderr)")
        let usage = try await runTollgate(["audit", "verify", "--from", "zero", cutPath])
        #expect(usage.status == 2, "\(usage.stderr)")
    }

    @Test("rotation: the new file starts with a file_start record linked to the old one; the newest file alone needs --from")
    func rotationKeepsTheLink() async throws {
        let directory = try TemporaryDirectory("audit-rotate")
        let auditPath = directory.path("audit.log")
        let session = try PolicySession("audit-rotate", manifest: """
            {"version": 1, "tools": {"echo": {}}, "audit": {"path": "\(try jsonEscaped(auditPath))", "arguments": "full", "rotateMB": 1,
                                                             "maxArgumentBytes": 400000}}
            """)
        // Four decisions of about 300 KB each (kept whole: the cap is 400 KB): the log passes 1 MiB once.
        let text = String(repeating: "a", count: 300_000)
        for id in 1...4 {
            let answer = try await session.call(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"\#(text)"}"#))
            #expect(answer["result"]["isError"].bool != true, "\(answer["error"])")
        }
        #expect(try await session.finish() == 0)
        #expect(FileManager.default.fileExists(atPath: auditPath + ".1") && !FileManager.default.fileExists(atPath: auditPath + ".2"))
        let older = fileLines(auditPath + ".1"), newer = fileLines(auditPath)
        let start = try JSON(parsing: try #require(newer.first)), lastOlder = try JSON(parsing: try #require(older.last))
        #expect(start["event"].string == "file_start", "\(start)")
        #expect(start["prev"].string == lastOlder["hash"].string && start["seq"].int == (lastOlder["seq"].int ?? 0) + 1, "\(start) after \(lastOlder)")

        let both = try await runTollgate(["audit", "verify", auditPath + ".1", auditPath])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdoutText.contains("seq 1 to \(older.count + newer.count)"), "\(both.stdoutText)")
        let newestAlone = try await runTollgate(["audit", "verify", auditPath])
        let startSeq = try #require(start["seq"].int)
        #expect(newestAlone.status == 1 && newestAlone.stderr.contains("--from \(startSeq)"), "\(newestAlone.stderr)")
        let archived = try await runTollgate(["audit", "verify", "--from", "\(startSeq)", auditPath])
        #expect(archived.status == 0, "\(archived.stderr)")
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
        // Per gate: start, 40 decisions, 32 outcomes (8 calls denied), server_exit; and one file_start record.
        let perGate = 1 + 40 + 32 + 1
        #expect(records.count == 2 * perGate + 1, "\(records.count) records")
        #expect(records.filter { $0["event"].string == "file_start" }.count == 1)
        #expect(records.map { $0["seq"].int ?? 0 } == Array(1...records.count), "one seq for the log, whoever wrote")
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
        // Tollgate sees a log replaced from outside through its inotify watch, and checks the name
        // every 100 ms besides; a call that raced the watch would still be recorded in the old
        // file. Give it well past that window, so the next call meets the new file.
        try await Task.sleep(for: .milliseconds(600))
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
