import Foundation
import Testing

/// Human review of the audit trail: `tollgate audit log` and `tollgate audit summary` on a session
/// the official Python SDK ran through the gate, with a call of every outcome a reviewer looks for
/// (allowed, denied by each code the gate can produce, approved and refused by an approver
/// command, timed out, result withheld).
@Suite("Audit review", .timeLimit(.minutes(3)))
struct AuditReviewTests {
    /// The approver command: approves `a` = 1, never answers for `a` = 99 (the approval times
    /// out), refuses anything else.
    static let approver = """
        #!/bin/sh
        request=$(cat)
        case "$request" in
          *'"a":1,'*) echo "ok by policy bot"; exit 0 ;;
          *'"a":99,'*) sleep 10; exit 0 ;;
          *) echo "too big"; exit 1 ;;
        esac
        """

    static func manifest(approver: String) -> String {
        """
        {"version": 1, "policy": {"approvalTimeoutSeconds": 3},
         "tools": {
           "*": {},
           "echo": {"budget": {"calls": 2}, "arguments": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 20}}}},
           "crash": {"allow": false, "reason": "crashing is not allowed here"},
           "delete_file": {"rate": "1/h"},
           "add": {"approval": {"command": ["/bin/sh", "\(approver)"]}},
           "ping_client": {"approval": "ask"},
           "sleep": {"timeoutSeconds": 0.5},
           "big": {"maxResultTokens": 100}
         },
         "audit": {"path": "audit.log"}}
        """
    }

    /// The session: one call per line of the log below.
    static var script: [[String: Any]] {
        [
        ["op": "list_tools"],
        ["op": "call_tool", "name": "echo", "arguments": ["text": "hello", "api_key": "sk-live-0123456789abcdef"]],
        ["op": "call_tool", "name": "echo", "arguments": ["text": "a text far longer than twenty characters"]],
        ["op": "call_tool", "name": "echo", "arguments": ["text": "again"]],
        ["op": "call_tool", "name": "echo", "arguments": ["text": "third"]],
        ["op": "call_tool", "name": "crash", "arguments": [:]],
        ["op": "call_tool", "name": "no_such_tool", "arguments": [:]],
        ["op": "call_tool", "name": "delete_file", "arguments": ["path": "/tmp/scratch/a"]],
        ["op": "call_tool", "name": "delete_file", "arguments": ["path": "/tmp/scratch/b"]],
        ["op": "call_tool", "name": "add", "arguments": ["a": 1, "b": 2]],
        ["op": "call_tool", "name": "add", "arguments": ["a": 50, "b": 2]],
        ["op": "call_tool", "name": "add", "arguments": ["a": 99, "b": 1]],
        ["op": "call_tool", "name": "ping_client", "arguments": [:]],
        ["op": "call_tool", "name": "sleep", "arguments": ["ms": 5000]],
        ["op": "call_tool", "name": "big", "arguments": ["mb": 0.01]],
        ]
    }

    /// `audit log` of the session, times as `TIME` and durations as `DURATION` (see ``masked(_:)``).
    static let expectedLog = [
        #"TIME  allowed     fixture_server/echo {"api_key":"[REDACTED]","text":"hello"}  -> ok, 44 B, DURATION"#,
        #"TIME  denied      fixture_server/echo {"text":"a text far longer than twenty characters"}  arguments_rejected (tools.echo): argument /text must be at most 20 characters long (maxLength)"#,
        #"TIME  allowed     fixture_server/echo {"text":"again"}  -> ok, 44 B, DURATION"#,
        #"TIME  denied      fixture_server/echo {"text":"third"}  budget_exhausted (tools.echo): the budget tools.echo.budget.calls is exhausted: 2 of 2 used"#,
        #"TIME  denied      fixture_server/crash {}  tool_denied (tools.crash): crashing is not allowed here"#,
        #"TIME  denied      fixture_server/no_such_tool {}  unknown_tool: the server does not offer a tool of this name"#,
        #"TIME  allowed     fixture_server/delete_file {"path":"/tmp/scratch/a"}  -> ok, 46 B, DURATION"#,
        #"TIME  denied      fixture_server/delete_file {"path":"/tmp/scratch/b"}  rate_limited (tools.delete_file): the rate limit tools.delete_file.rate (1/h) is reached"#,
        #"TIME  allowed     fixture_server/add {"a":1,"b":2}  approved by command (/bin/sh: exit 0: ok by policy bot)  -> ok, 40 B, DURATION"#,
        #"TIME  denied      fixture_server/add {"a":50,"b":2}  approval_denied (tools.add): the approver did not approve the call (/bin/sh: exit 1: too big)"#,
        #"TIME  denied      fixture_server/add {"a":99,"b":1}  approval_denied (tools.add): nobody approved the call within 3 s (policy.approvalTimeoutSeconds)"#,
        #"TIME  denied      fixture_server/ping_client {}  approval_required (tools.ping_client): this tool needs a person's approval, but the client cannot be asked (it did not declare the elicitation capability) and no approver command is set"#,
        #"TIME  allowed     fixture_server/sleep {"ms":5000}  -> timeout, DURATION"#,
        #"TIME  allowed     fixture_server/big {"mb":0.01}  -> result_too_large, 10.5 kB, DURATION"#,
    ]

    /// `line` with the local time of a record as `TIME` and a trailing duration as `DURATION`.
    static func masked(_ line: String) -> String {
        var text = line.replacingOccurrences(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}"#, with: "TIME", options: .regularExpression)
        text = text.replacingOccurrences(of: #", \d+(\.\d)? (ms|s)$"#, with: ", DURATION", options: .regularExpression)
        return text
    }

    /// The lines of a command's stdout, masked.
    static func maskedLines(_ output: CommandOutput) -> [String] {
        output.stdoutText.split(separator: "\n", omittingEmptySubsequences: true).map { masked(String($0)) }
    }

    /// Runs the session through `tollgate run --manifest` and returns the manifest's path (the log
    /// is `audit.log` beside it).
    static func recordSession(in directory: TemporaryDirectory) async throws -> String {
        let approver = try writeFile(approver, named: "approve.sh", in: directory)
        let manifest = try writeFile(manifest(approver: approver), named: "manifest.json", in: directory)
        let report = try await SDKClient.run(
            mode: "legacy", script: script,
            command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
            extra: ["--env", "FIXTURE_QUIET=1"])
        let steps = try SDKClient.steps(report, count: script.count)
        let codes = steps.dropFirst().map { $0["meta"]["dev.tollgate/denial"]["code"].string ?? "-" }
        #expect(codes == ["-", "arguments_rejected", "-", "budget_exhausted", "tool_denied", "unknown_tool", "-", "rate_limited", "-",
                          "approval_denied", "approval_denied", "approval_required", "timeout", "result_too_large"], "\(report)")
        return manifest
    }

    @Test("audit log: one line per call with its outcome, each filter's lines, --json round-trips, summary figures; nothing matching prints nothing")
    func logOfASession() async throws {
        let directory = try TemporaryDirectory("review-session")
        let manifest = try await Self.recordSession(in: directory)
        let log = directory.path("audit.log")
        let utc: [String: String?] = ["TZ": "UTC"]

        // The whole log, from the manifest's audit.path.
        let all = try await runTollgate(["audit", "log", "--manifest", manifest], environment: utc)
        #expect(all.status == 0 && all.stderr.isEmpty, "\(all.stderr)")
        #expect(Self.maskedLines(all) == Self.expectedLog, "\(all.stdoutText)")

        // Each filter, exact lines.
        func lines(_ options: [String]) async throws -> [String] {
            let output = try await runTollgate(["audit", "log", log] + options, environment: utc)
            #expect(output.status == 0 && output.stderr.isEmpty, "\(options): \(output.stderr)")
            return Self.maskedLines(output)
        }
        let expected = Self.expectedLog
        let denied = expected.filter { !$0.hasPrefix("TIME  allowed") || $0.contains("-> timeout") || $0.contains("-> result_too_large") }
        #expect(denied.count == 10)
        #expect(try await lines(["--denied"]) == denied)
        #expect(try await lines(["--tool", "ec*"]) == Array(expected[0..<4]))
        #expect(try await lines(["--tool", "add"]) == Array(expected[8..<11]))
        #expect(try await lines(["--code", "approval_denied"]) == Array(expected[9..<11]))
        #expect(try await lines(["--code", "timeout", "--code", "unknown_tool"]) == [expected[5], expected[12]])
        #expect(try await lines(["--denied", "--tool", "echo"]) == [expected[1], expected[3]])
        #expect(try await lines(["--code=result_too_large"]) == [expected[13]])
        #expect(try await lines(["--since", "1h", "--code", "tool_denied"]) == [expected[4]])

        // --since and --until by the records' own times: from the third call, before the fifth.
        let decisions = try fileLines(log).map { try JSON(parsing: $0) }.filter { $0["event"].string == "decision" }
        let third = try #require(decisions[2]["time"].string), fifth = try #require(decisions[4]["time"].string)
        #expect(try await lines(["--since", third, "--until", fifth]) == Array(expected[2..<4]))
        #expect(try await lines(["--until", third]) == Array(expected[0..<2]))

        // Nothing matches: exit 0, nothing printed.
        for options in [["--tool", "nothing_*"], ["--agent", "nobody"], ["--since", "2999-01-01"], ["--code", "tool_changed"]] {
            let output = try await runTollgate(["audit", "log", log] + options, environment: utc)
            #expect(output.status == 0 && output.stdout.isEmpty && output.stderr.isEmpty, "\(options): \(output.stdoutText)\(output.stderr)")
        }

        // --json: one object per call holding its records exactly as the log has them.
        let json = try await runTollgate(["audit", "log", log, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try json.stdoutText.split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(objects.count == expected.count)
        let records = try fileLines(log).map { try JSONSerialization.jsonObject(with: Data($0)) as? NSDictionary }
        func logRecord(_ record: JSON) -> NSDictionary? { records.first { ($0?["seq"] as? Int) == record["seq"].int } ?? nil }
        for (index, object) in objects.enumerated() {
            for part in ["decision", "approval", "outcome"] where object[part].exists {
                let record = try #require(object[part].value as? NSDictionary)
                #expect(record == logRecord(object[part]), "call \(index) \(part): \(record)")
            }
            #expect(object["location"].string == "\(log):\(object["decision"]["seq"].int ?? 0)", "\(object["location"])")
            let forwarded = object["decision"]["decision"].string != "denied"
            #expect(object["outcome"].exists == forwarded, "call \(index): \(object)")
            if forwarded {
                #expect(object["outcome"]["id"].string == object["decision"]["id"].string && object["outcome"]["run"].string == object["decision"]["run"].string)
            }
        }
        #expect(objects.filter { $0["approval"].exists }.map { $0["approval"]["by"].string ?? "" } == ["command", "command", "timeout", "none"])
        #expect(objects.map { $0["decision"]["tool"].string ?? "" } == Self.script.dropFirst().map { $0["name"] as? String ?? "" })

        // The summary: denials by code and tool, top reasons, approvals, budget crossings.
        let summary = try await runTollgate(["audit", "summary", "--json", "--manifest", manifest])
        #expect(summary.status == 0, "\(summary.stderr)")
        let figures = try JSON(parsing: summary.stdout)
        let byCode = Dictionary(uniqueKeysWithValues: (figures["denialsByCode"].array ?? []).map { ($0["name"].string ?? "", $0["count"].int ?? 0) })
        #expect(byCode == ["arguments_rejected": 1, "budget_exhausted": 1, "tool_denied": 1, "unknown_tool": 1, "rate_limited": 1,
                           "approval_denied": 2, "approval_required": 1, "timeout": 1, "result_too_large": 1], "\(figures["denialsByCode"])")
        #expect(figures["denialsByTool"].array?.first?["name"].string == "fixture_server/add", "\(figures["denialsByTool"])")
        #expect(figures["denialsByTool"].array?.first?["count"].int == 2)
        #expect(figures["topReasons"].array?.count == 5 && figures["topReasons"].array?.first?["code"].string == "approval_denied")
        #expect(figures["approvals"]["granted"].int == 1 && figures["approvals"]["denied"].int == 2 && figures["approvals"]["timedOut"].int == 1,
                "\(figures["approvals"])")
        #expect(figures["budgetCrossings"].array?.map { $0["percent"].int ?? 0 } == [50, 80, 100], "\(figures["budgetCrossings"])")
        #expect(figures["budgetCrossings"].array?.allSatisfy { $0["budget"].string == "tools.echo.budget.calls" } == true)
        #expect(figures["chain"]["intact"].bool == true && figures["agents"].array?.isEmpty == true)
        let text = try await runTollgate(["audit", "summary", log], environment: utc)
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("approvals: granted 1, denied 2, timed out 1 (by command 2, none 1, timeout 1)"), "\(text.stdoutText)")
        #expect(text.stdoutText.contains("denials by code: approval_denied 2, "), "\(text.stdoutText)")
        let later = try await runTollgate(["audit", "summary", "--json", "--since", "2999-01-01", log])
        #expect(try JSON(parsing: later.stdout)["decisions"].int == 0, "\(later.stdoutText)")
    }
}
