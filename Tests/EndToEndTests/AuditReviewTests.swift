import Foundation
import Testing

/// Human review of the audit trail: `tollgate audit log` and `tollgate audit summary` on a session
/// the official Python SDK ran through the gate, with a call of every outcome a reviewer looks for
/// (allowed, denied by each code the gate can produce, approved and refused by an approver
/// command, timed out, result withheld).
@Suite("Audit review", .timeLimit(.minutes(3)))
struct AuditReviewTests {
    /// The approver command: approves `a` = 1, never answers for `a` = 99 (the approval times
    /// out), refuses anything else (the arguments come in any order).
    static let approver = """
        #!/bin/sh
        request=$(cat)
        case "$request" in
          *'"a":1,'* | *'"a":1}'*) echo "ok by policy bot"; exit 0 ;;
          *'"a":99,'* | *'"a":99}'*) sleep 10; exit 0 ;;
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
        #"TIME  allowed     [mcp] fixture_server/echo {"api_key":"[REDACTED]","text":"hello"}  -> ok, 44 B, DURATION"#,
        #"TIME  denied      [mcp] fixture_server/echo {"text":"a text far longer than twenty characters"}  arguments_rejected (tools.echo): argument /text must be at most 20 characters long (maxLength)"#,
        #"TIME  allowed     [mcp] fixture_server/echo {"text":"again"}  -> ok, 44 B, DURATION"#,
        #"TIME  denied      [mcp] fixture_server/echo {"text":"third"}  budget_exhausted (tools.echo): the budget tools.echo.budget.calls is exhausted: 2 of 2 used"#,
        #"TIME  denied      [mcp] fixture_server/crash {}  tool_denied (tools.crash): crashing is not allowed here"#,
        #"TIME  denied      [mcp] fixture_server/no_such_tool {}  unknown_tool: the server does not offer a tool of this name"#,
        #"TIME  allowed     [mcp] fixture_server/delete_file {"path":"/tmp/scratch/a"}  -> ok, 46 B, DURATION"#,
        #"TIME  denied      [mcp] fixture_server/delete_file {"path":"/tmp/scratch/b"}  rate_limited (tools.delete_file): the rate limit tools.delete_file.rate (1/h) is reached"#,
        #"TIME  allowed     [mcp] fixture_server/add {"a":1,"b":2}  approved by command (/bin/sh: exit 0: ok by policy bot)  -> ok, 40 B, DURATION"#,
        #"TIME  denied      [mcp] fixture_server/add {"a":50,"b":2}  approval_denied (tools.add): the approver did not approve the call (/bin/sh: exit 1: too big)"#,
        #"TIME  denied      [mcp] fixture_server/add {"a":99,"b":1}  approval_denied (tools.add): nobody approved the call within 3 s (policy.approvalTimeoutSeconds)"#,
        #"TIME  denied      [mcp] fixture_server/ping_client {}  approval_required (tools.ping_client): this tool needs a person's approval, but the client cannot be asked (it did not declare the elicitation capability) and no approver command is set"#,
        #"TIME  allowed     [mcp] fixture_server/sleep {"ms":5000}  -> timeout, DURATION"#,
        #"TIME  allowed     [mcp] fixture_server/big {"mb":0.01}  -> result_too_large, 10.5 kB, DURATION"#,
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
        #expect(try await lines(["--agent", "mcp", "--code", "timeout"]) == [expected[12]], "the SDK's clientInfo.name is the agent")
        for options in [["--tool", "nothing_*"], ["--agent", "nobody"], ["--agent", "MCP"], ["--since", "2999-01-01"], ["--code", "tool_changed"]] {
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
        #expect(figures["chain"]["intact"].bool == true)
        let agents = try #require(figures["agents"].array)
        #expect(agents.count == 1 && agents.first?["agent"].string == "mcp" && agents.first?["calls"].int == 14 && agents.first?["denied"].int == 8,
                "\(figures["agents"])")
        #expect(agents.first?["outcomeByCode"]["timeout"].int == 1, "outcomes carry the agent too: \(figures["agents"])")
        let text = try await runTollgate(["audit", "summary", log], environment: utc)
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("approvals: granted 1, denied 2, timed out 1 (by command 2, none 1, timeout 1)"), "\(text.stdoutText)")
        #expect(text.stdoutText.contains("denials by code: approval_denied 2, "), "\(text.stdoutText)")
        let later = try await runTollgate(["audit", "summary", "--json", "--since", "2999-01-01", log])
        #expect(try JSON(parsing: later.stdout)["decisions"].int == 0, "\(later.stdoutText)")
    }

    /// A short session in front of the fixture: `echo` allowed, `add` denied.
    static func shortSession(_ label: String, log: String, extra: String = "") throws -> PolicySession {
        try PolicySession(label, manifest: """
            {"version": 1, "tools": {"echo": {}, "add": {"allow": false, "reason": "no sums today"}},
             "audit": {"path": "\(try jsonEscaped(log))", "arguments": "full"\(extra)}}
            """)
    }

    /// A log of two calls through the short session, `echo` allowed and `add` denied: the
    /// directory (kept while it is held) and the log's path.
    static func echoAndAdd(_ label: String) async throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory(label)
        let log = directory.path("audit.log")
        let session = try shortSession("\(label)-run", log: log)
        _ = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"hi"}"#))
        _ = try await session.call(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":1,"b":2}"#))
        #expect(try await session.finish() == 0)
        return (directory, log)
    }

    @Test("--follow shows a call recorded after it started and goes on across a rotation; a record added from outside is flagged")
    func follow() async throws {
        let directory = try TemporaryDirectory("review-follow")
        let log = directory.path("audit.log")
        let session = try Self.shortSession("review-follow-run", log: log, extra: #", "rotateMB": 1, "maxArgumentBytes": 400000"#)
        _ = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"before"}"#))
        try await session.sync()

        let follower = try GateProcess(tollgate: ["audit", "log", "--follow", log], environment: ["TZ": "UTC"], in: directory)
        let first = Self.masked(try await follower.readLine().text)
        #expect(first.hasPrefix(#"TIME  allowed     fixture_server/echo {"text":"before"}  -> ok, "#), "\(first)")
        // Recorded after the follower started.
        _ = try await session.call(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":1,"b":2}"#))
        let second = Self.masked(try await follower.readLine().text)
        #expect(second == #"TIME  denied      fixture_server/add {"a":1,"b":2}  tool_denied (tools.add): no sums today"#)

        // Four calls of about 300 KB (kept whole: the cap is 400 KB) rotate the log (rotateMB 1) to audit.log.1; the
        // follower goes on in the new file.
        let text = String(repeating: "a", count: 300_000)
        for id in 3...6 { _ = try await session.call(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"\#(text)"}"#)) }
        _ = try await session.call(RPC.toolCall(id: "7", name: "echo", arguments: #"{"text":"after rotation"}"#))
        // A call still running after a second shows without its outcome, which follows on a line of its own.
        let read = try await follower.readLines(timeout: .seconds(30)) { $0.text.contains(#"{"text":"after rotation"}"#) }.map { Self.masked($0.text) }
        let rest = read.filter { !$0.hasPrefix("TIME  outcome ") }
        let early = rest.filter { $0.hasSuffix("-> no outcome yet") }.count
        #expect(read.count - rest.count <= early, "\(read)")
        #expect(FileManager.default.fileExists(atPath: log + ".1"), "the log rotated")
        let newFile = fileLines(log).map(\.text)
        #expect(newFile.contains { $0.contains("after rotation") } && !fileLines(log + ".1").map(\.text).contains { $0.contains("after rotation") })
        #expect(rest.count == 5, "\(rest)")
        #expect(rest.dropLast().allSatisfy { $0.hasPrefix(#"TIME  allowed     fixture_server/echo {"text":"aaaaaaaaaaa"#)
                    && ($0.contains("…  -> ok, ") || $0.hasSuffix("…  -> no outcome yet")) }, "\(rest)")
        #expect(rest.last?.hasPrefix(#"TIME  allowed     fixture_server/echo {"text":"after rotation"}  -> "#) == true, "\(rest)")
        #expect(!follower.stderrText.contains("does not verify"), "\(follower.stderrText)")

        // A record replayed into the log from outside: flagged on stderr while following.
        #expect(try await session.finish() == 0)
        let written = fileLines(log)
        let last = try #require(written.last)
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data(last + [0x0A]))
        handle.closeFile()
        let deadline = ContinuousClock.now + .seconds(20)
        while !follower.stderrText.contains("does not verify"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(follower.stderrText.contains("the audit chain does not verify: FAILED: \(log):\(written.count + 1)"), "\(follower.stderrText)")
        follower.signal(SIGTERM)
        #expect(try await follower.waitForExit() == 128 + SIGTERM)
    }

    /// `script` (util-linux, Debian's bsdutils), to run a command on a pseudo-terminal; installed when missing.
    static func scriptCommand() async throws -> String {
        let candidates = ["/usr/bin/script", "/bin/script"]
        if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
        let install = try await Subprocess.run(["/bin/sh", "-c", "apt-get install -y -qq bsdutils >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq bsdutils)"],
                                               timeout: .seconds(300))
        guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw E2EError("`script` (bsdutils) is missing and could not be installed (exit \(install.status)): \(install.stderr.suffix(2000))")
        }
        return found
    }

    @Test("colour only on a terminal (script(1)'s pseudo-terminal), never with NO_COLOR, never into a pipe")
    func colourOnATerminal() async throws {
        let (directory, log) = try await Self.echoAndAdd("review-colour")
        defer { withExtendedLifetime(directory) {} }

        let script = try await Self.scriptCommand()
        let command = "'\(try TollgateBinary.path())' audit log '\(log)'"
        func onTerminal(_ environment: [String: String?]) async throws -> String {
            let output = try await Subprocess.run([script, "-qfec", command, "/dev/null"], environment: environment.merging(["TZ": "UTC"]) { a, _ in a },
                                                  timeout: .seconds(60))
            #expect(output.status == 0, "\(output.stderr)")
            return output.stdoutText.replacingOccurrences(of: "\r\n", with: "\n")
        }
        let coloured = try await onTerminal(["NO_COLOR": nil])
        #expect(coloured.contains("\u{1B}[31mdenied\u{1B}[0m      fixture_server/add"), "\(coloured.debugDescription)")
        #expect(coloured.contains("\u{1B}[32mallowed\u{1B}[0m     fixture_server/echo"), "\(coloured.debugDescription)")
        #expect(coloured.contains("\u{1B}[31mtool_denied\u{1B}[0m (tools.add)"), "\(coloured.debugDescription)")
        let plain = try await runTollgate(["audit", "log", log], environment: ["TZ": "UTC", "NO_COLOR": nil])
        #expect(plain.status == 0 && !plain.stdoutText.contains("\u{1B}"), "a pipe gets no colour: \(plain.stdoutText.debugDescription)")
        let noColor = try await onTerminal(["NO_COLOR": "1"])
        #expect(noColor == plain.stdoutText, "NO_COLOR: \(noColor.debugDescription)")
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == plain.stdoutText, "the same lines, coloured: \(stripped.debugDescription)")
    }

    @Test("a tampered log is flagged by audit log and audit summary (exit 1, the bad record named) but still shown; --no-verify skips the check")
    func tampered() async throws {
        let (directory, log) = try await Self.echoAndAdd("review-tamper")
        defer { withExtendedLifetime(directory) {} }
        let intact = try await runTollgate(["audit", "log", log, "--denied"], environment: ["TZ": "UTC"])
        #expect(intact.status == 0 && intact.stderr.isEmpty, "\(intact.stderr)")

        // The denial rewritten as an allowed call, as someone hiding it would.
        let lines = fileLines(log).map(\.text)
        let index = try #require(lines.firstIndex { $0.contains(#""decision":"denied""#) })
        var edited = lines
        edited[index] = edited[index].replacingOccurrences(of: #""reason":"no sums today""#, with: #""reason":"fine""#)
        try edited.map { $0 + "\n" }.joined().write(toFile: log, atomically: false, encoding: .utf8)

        let flagged = try await runTollgate(["audit", "log", log], environment: ["TZ": "UTC"])
        #expect(flagged.status == 1, "\(flagged.stderr)")
        #expect(flagged.stderr.contains("the audit chain does not verify: FAILED: \(log):\(index + 1) (seq \(index + 1)): the hash does not match"),
                "\(flagged.stderr)")
        #expect(Self.maskedLines(flagged).contains(#"TIME  denied      fixture_server/add {"a":1,"b":2}  tool_denied (tools.add): fine"#),
                "shown as written: \(flagged.stdoutText)")
        let skipped = try await runTollgate(["audit", "log", log, "--no-verify"], environment: ["TZ": "UTC"])
        #expect(skipped.status == 0 && skipped.stderr.isEmpty && skipped.stdoutText == flagged.stdoutText, "\(skipped.stderr)")

        let summary = try await runTollgate(["audit", "summary", "--json", log])
        #expect(summary.status == 1 && summary.stderr.contains("does not verify"), "\(summary.stderr)")
        let figures = try JSON(parsing: summary.stdout)
        #expect(figures["chain"]["intact"].bool == false && figures["chain"]["problem"].string?.contains("\(log):\(index + 1)") == true, "\(figures["chain"])")
        let unchecked = try await runTollgate(["audit", "summary", "--no-verify", log])
        #expect(unchecked.status == 0 && unchecked.stderr.isEmpty, "\(unchecked.stderr)")
    }

    @Test("times are shown on the local clock (TZ), to the millisecond")
    func localTime() async throws {
        let (directory, log) = try await Self.echoAndAdd("review-time")
        defer { withExtendedLifetime(directory) {} }
        let decision = try #require(fileLines(log).map { try JSON(parsing: $0) }.first { $0["event"].string == "decision" && $0["tool"].string == "add" })
        let recorded = try #require(decision["time"].string)
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let instant = try #require(parser.date(from: recorded), "\(recorded)")
        for zone in ["Asia/Kolkata", "America/St_Johns", "UTC"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: zone)
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
            let output = try await runTollgate(["audit", "log", log], environment: ["TZ": zone])
            let line = output.stdoutText.split(separator: "\n").first { $0.contains("fixture_server/add") }.map(String.init) ?? ""
            #expect(line.hasPrefix(formatter.string(from: instant) + "  denied      fixture_server/add"), "\(zone): \(output.stdoutText) for \(recorded)")
        }
    }

    @Test("the agent is the client's name, recorded in every call record: from initialize or from a 2026-07-28 request's _meta, with one server or several",
          arguments: [("legacy", 1), ("auto", 1), ("legacy", 2), ("auto", 2)])
    func agent(mode: String, servers: Int) async throws {
        let directory = try TemporaryDirectory("review-agent-\(mode)-\(servers)")
        let fixture = try jsonEscaped(Repository.fixtureServer)
        let server = #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_QUIET": "1"}}"#
        let (names, echo, add) = servers == 1 ? (#"{"fixture": \#(server)}"#, "echo", "add") : (#"{"a": \#(server), "b": \#(server)}"#, "a__echo", "b__add")
        let manifest = try writeFile("""
            {"version": 1, "servers": \(names), "tools": {"\(echo)": {}, "\(add)": {"allow": false, "reason": "no sums today"}},
             "audit": {"path": "audit.log"}}
            """, named: "manifest.json", in: directory)
        let report = try await SDKClient.run(mode: mode, script: [["op": "call_tool", "name": echo, "arguments": ["text": "hi"]],
                                                                   ["op": "call_tool", "name": add, "arguments": ["a": 1, "b": 2]]],
                                             command: [try TollgateBinary.path(), "run", "--manifest", manifest])
        let steps = try SDKClient.steps(report, count: 2)
        #expect(report["protocolVersion"].string == (mode == "legacy" ? "2025-11-25" : "2026-07-28"), "\(report)")
        expectSDKSuccess(steps[0], tool: echo, "echo")
        let log = directory.path("audit.log")
        let calls = try fileLines(log).map { try JSON(parsing: $0) }.filter { ["decision", "outcome"].contains($0["event"].string ?? "") }
        #expect(calls.count == 3 && calls.allSatisfy { $0["agent"].string == "mcp" }, "\(calls)")
        #expect(try await runTollgate(["audit", "verify", log]).status == 0)
        let shown = try await runTollgate(["audit", "log", "--agent", "mcp", "--denied", log], environment: ["TZ": "UTC"])
        let prefix = servers == 1 ? "fixture/add" : "b__add"
        #expect(Self.maskedLines(shown) == [#"TIME  denied      [mcp] \#(prefix) {"a":1,"b":2}  tool_denied (tools.\#(add)): no sums today"#], "\(shown.stdoutText)\(shown.stderr)")
    }
}
