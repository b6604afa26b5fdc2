import Foundation
import Testing

/// The command line says what it does: `help COMMAND`, `-V`, `audit summary` on a file that is
/// not an audit log, the audit commands named in full, `budget show` without a manifest, one
/// expected version, `pin` without a double space, and budget thresholds that count only calls
/// that ran.
@Suite("Command line", .timeLimit(.minutes(2)))
struct CommandLineTests {
    @Test("help COMMAND prints that command's help; -V prints the version")
    func helpAndVersion() async throws {
        for (topic, start) in [("run", "USAGE: tollgate run [OPTIONS] -- COMMAND"), ("check", "USAGE: tollgate check [--strict] FILE"),
                               ("audit", "USAGE: tollgate audit verify")] {
            let output = try await runTollgate(["help", topic])
            #expect(output.status == 0 && output.stdoutText.hasPrefix(start), "help \(topic): \(output.stdoutText)")
        }
        let overview = try await runTollgate(["help"])
        #expect(overview.stdoutText.hasPrefix("tollgate: a runtime policy and budget gate"), "\(overview.stdoutText)")
        let version = try await runTollgate(["-V"])
        // A plain `swift build` bakes in no commit (scripts/install does).
        #expect(version.status == 0 && version.stdoutText == "tollgate 0.1.0 (unknown commit)\n", "\(version.stdoutText) \(version.stderr)")
        let unknown = try await runTollgate(["help", "frob"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no help for 'frob'"), "\(unknown.stderr)")
    }

    @Test("audit summary of a file that is not an audit log fails (exit 1); `audit` alone names verify, log, summary and replay")
    func auditSummaryOfOtherFiles() async throws {
        let directory = try TemporaryDirectory("audit-not-a-log")
        let notes = try writeFile("just some notes\n{\"a\": 1}\n", named: "notes.txt", in: directory)
        let output = try await runTollgate(["audit", "summary", notes])
        #expect(output.status == 1, "\(output.stdoutText) \(output.stderr)")
        #expect(output.stderr.contains("2 lines and no audit record") && output.stderr.contains("not a Tollgate audit log"), "\(output.stderr)")
        let missing = try await runTollgate(["audit"])
        #expect(missing.status == 2 && missing.stderr.contains("tollgate audit verify|log|summary|replay"), "\(missing.stderr)")
    }

    @Test("budget show without a manifest says there is none and how to name one, not that Tollgate will not start")
    func budgetShowWithoutManifest() async throws {
        let directory = try TemporaryDirectory("budget-no-manifest")
        let output = try await runTollgate(["budget", "show"], directory: directory.path)
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("no manifest named, and there is no tollgate.json in the working directory") && output.stderr.contains("--manifest FILE"),
                "\(output.stderr)")
        #expect(!output.stderr.contains("will not start"), "\(output.stderr)")
        let broken = try writeFile(#"{"version": 1, "budgets": {"calls": "many"}}"#, named: "tollgate.json", in: directory)
        let invalid = try await runTollgate(["budget", "show", "--manifest", broken])
        #expect(invalid.status == 2 && invalid.stderr.contains("budget show needs a manifest that loads") && !invalid.stderr.contains("will not start"),
                "\(invalid.stderr)")
    }

    @Test("a wrong version says: expected 1")
    func versionMessage() async throws {
        let directory = try TemporaryDirectory("version-message")
        let path = try writeFile(#"{"version": 3}"#, named: "m.json", in: directory)
        let output = try await runTollgate(["check", path])
        #expect(output.status == 2 && output.stderr.contains("\(path):1:13: version: expected 1, found 3"), "\(output.stderr)")
        #expect(!output.stderr.contains("from 1 to 1"), "\(output.stderr)")
    }

    @Test("pin inserts into a one-line rule without a double space")
    func pinSpacing() async throws {
        let directory = try TemporaryDirectory("pin-spacing")
        let path = try writeFile("""
            {"version": 1, "servers": {"fixture": {"command": "python3", "args": ["\(Repository.fixtureServer)"]}},
             "tools": {"echo": { "allow": true }, "add": {"allow": true, "reason": "sums"}}}
            """, named: "m.json", in: directory)
        let output = try await runTollgate(["pin", "--manifest", path], environment: ["FIXTURE_QUIET": "1"])
        #expect(output.status == 0, "\(output.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#""echo": { "pin": "sha256:"#) && text.contains(#""add": {"pin": "sha256:"#), "\(text)")
        #expect(!text.contains(",  \""), "no double space: \(text)")
        #expect(try await runTollgate(["check", path]).status == 0)
    }

    @Test("a call held for approval and denied reports no budget threshold; the call that really reaches 50% does")
    func heldThenDeniedBudget() async throws {
        let session = try PolicySession("held-budget", manifest: """
            {"version": 1, "budgets": {"calls": 3},
             "tools": {"echo": {}, "add": {"approval": {"command": ["/bin/false"], "ask": false}}}}
            """)
        let first = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"one"}"#))
        #expect(resultText(first) == "one")
        let refused = try await session.call(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":1,"b":2}"#))
        expectDenial(refused, id: 2, code: "approval_denied", tool: "add", rule: "tools.add", "the approver refuses")
        try await session.sync()
        #expect(!session.gate.stderrText.contains("budget budgets.calls reached"), "one call ran: \(session.gate.stderrText)")
        let second = try await session.call(RPC.toolCall(id: "3", name: "echo", arguments: #"{"text":"two"}"#))
        #expect(resultText(second) == "two")
        #expect(try await session.finish() == 0)
        let reports = session.gate.stderrText.split(separator: "\n").filter { $0.contains("budget budgets.calls reached") }
        #expect(reports == ["tollgate: budget budgets.calls reached 50%: 2 of 3 used"], "\(session.gate.stderrText)")
    }
}
