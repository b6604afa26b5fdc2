import Foundation
import Testing

/// What Tollgate says when it starts, and what the host shows when it cannot: the manifest error
/// as the official Python SDK sees it (every connection mode), the line stating what is in
/// force, the warning without a manifest, the warning when a manifest's rules match none of the
/// server's tools, `--monitor`/`--enforce`, and `--log-level`/`--quiet`.
@Suite("Start-up", .timeLimit(.minutes(2)))
struct StartupTests {
    /// Tollgate's own stderr lines (the fixture's are quiet or prefixed otherwise).
    private func tollgateLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("tollgate: ") }
    }

    @Test("a manifest that cannot be read: the SDK shows Tollgate's message, naming the working directory (initialize, or a 2026-07-28 first request)",
          arguments: ["legacy", "auto", "2026-07-28"])
    func missingManifestAsTheSDKShowsIt(mode: String) async throws {
        let directory = try TemporaryDirectory("manifest-missing-\(mode)")
        let python = try await PythonEnvironment.python()
        let output = try await Subprocess.run([python, Repository.sdkClient, "--mode", mode, "--timeout", "20", "--deadline", "40",
                                               "--script", #"[{"op":"list_tools"}]"#, "--cwd", directory.path,
                                               "--", try TollgateBinary.path(), "run", "--manifest", "tollgate.json"],
                                              timeout: .seconds(60))
        let report = try JSON(parsing: output.stdout)
        let shown: String
        if mode == "2026-07-28" {
            #expect(output.status == 0 && report["steps"][0]["error"]["code"].int == -32603, "the first request gets the error: \(report)")
            shown = report["steps"][0]["error"]["message"].string ?? ""
        } else {
            #expect(output.status == 1, "the session must fail: \(report)")
            shown = report["fatal"].string ?? ""
        }
        #expect(shown.contains("Tollgate did not start: tollgate.json: cannot read the manifest: No such file or directory "
                               + "(relative to the working directory \(directory.path))"), "the SDK shows: \(shown)")
        #expect(shown.contains("Tollgate will not start with this manifest"), "\(shown)")
    }

    @Test("an invalid manifest: the SDK shows every problem with its file:line", arguments: ["legacy", "auto"])
    func invalidManifestAsTheSDKShowsIt(mode: String) async throws {
        let directory = try TemporaryDirectory("manifest-invalid-\(mode)")
        let manifest = try writeFile("""
            {"version": 1,
             "policy": {"default": "dney"},
             "tools": {"echo": {"alow": true}}}
            """, named: "m.json", in: directory)
        let report = try await SDKClientFailure.run(mode: mode, command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer)
        #expect(report.contains("\(manifest):2:24: policy.default: expected \"allow\" or \"deny\", found \"dney\""), "\(report)")
        #expect(report.contains("\(manifest):3:21: tools.echo.alow: unknown key; did you mean \"allow\"?"), "\(report)")
        #expect(report.contains("2 problems"), "\(report)")
    }

    @Test("a manifest error: initialize gets a JSON-RPC error, stderr lists the problems, exit 2; the server never starts")
    func manifestErrorExitsTwo() async throws {
        let directory = try TemporaryDirectory("manifest-error-exit")
        let started = directory.path("started")
        let manifest = try writeFile(#"{"version": 1, "tools": {"echo": {"allow": "yes"}}}"#, named: "m.json", in: directory)
        let gate = try GateProcess(server: ["sh", "-c", "touch \(started); cat"], options: ["--manifest", manifest], in: directory)
        let answer = try await gate.exchange(RPC.request(id: "1", method: "initialize", params: "{}"), id: "1").response
        expectError(answer, id: 1, codes: [-32603], "initialize")
        #expect(answer["error"]["message"].string?.contains("tools.echo.allow: expected true or false") == true, "\(answer)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 2)
        #expect(gate.stderrText.contains("\(manifest):1:44: tools.echo.allow: expected true or false"), "\(gate.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: started), "the server must not start")
    }

    @Test("with a manifest, one line says what is in force: server, mode, rules, budgets, audit")
    func startLine() async throws {
        let directory = try TemporaryDirectory("start-line")
        let audit = directory.path("audit.log")
        let manifest = try writeFile("""
            {"version": 1, "servers": {"fixture": {"command": "python3", "args": ["\(Repository.fixtureServer)"]}},
             "tools": {"echo": {}, "add": {"allow": false}, "sleep": {"budget": {"calls": 2}}},
             "budgets": {"calls": 100, "window": "1d"}, "audit": {"path": "\(audit)"}}
            """, named: "m.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", manifest], environment: ["FIXTURE_QUIET": "1"], in: directory)
        _ = try await gate.exchange(RPC.ping(id: "1"), id: "1")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0)
        #expect(tollgateLines(gate.stderrText) == [
            "tollgate: started fixture (python3 \(Repository.fixtureServer)) under \(manifest): enforce mode, default deny; "
                + "3 tool rules (2 allow, 1 deny, 0 with argument schemas); budgets: calls 100 per 1d, 1 rule with limits of its own; "
                + "audit trail \(audit)",
        ], "\(gate.stderrText)")
    }

    @Test("without a manifest, one warning says every call passes unchecked")
    func noManifestWarning() async throws {
        let session = try FixtureSession("no-manifest-warning", environment: ["FIXTURE_QUIET": "1"])
        _ = try await session.gate.exchange(RPC.ping(id: "1"), id: "1")
        #expect(try await session.finish() == 0)
        #expect(tollgateLines(session.gate.stderrText) == [
            "tollgate: no manifest: relaying fixture_server (python3 \(Repository.fixtureServer)) with no policy, so every call passes unchecked; "
                + "give one with --manifest FILE",
        ], "\(session.gate.stderrText)")
    }

    @Test("--log-level warning keeps warnings and drops the start line; --quiet drops both")
    func logLevels() async throws {
        let directory = try TemporaryDirectory("log-levels")
        let manifest = try writeFile(#"{"version": 1, "tools": {"echo": {}}}"#, named: "m.json", in: directory)
        for (options, shown) in [(["--log-level", "warning", "--manifest", manifest], true), (["--quiet", "--manifest", manifest], false), (["--quiet"], false)] {
            let gate = try GateProcess(server: GateProcess.fixtureServer, options: options, environment: ["FIXTURE_QUIET": "1"], in: directory)
            _ = try await gate.exchange(RPC.toolCall(id: "1", name: "add", arguments: #"{"a":1,"b":2}"#), id: "1")
            gate.closeInput()
            _ = try await gate.waitForExit()
            let lines = tollgateLines(gate.stderrText)
            #expect(!lines.contains { $0.hasPrefix("tollgate: started ") || $0.hasPrefix("tollgate: no manifest:") }, "\(options): \(gate.stderrText)")
            #expect(lines.contains { $0.hasPrefix("tollgate: denied add (tool_denied)") } == shown, "\(options): \(gate.stderrText)")
            if !shown { #expect(lines.isEmpty, "\(options): \(gate.stderrText)") }
        }
    }

    @Test("--monitor and --enforce override the manifest's mode")
    func modeOverride() async throws {
        let directory = try TemporaryDirectory("mode-override")
        let enforcing = try writeFile(#"{"version": 1, "tools": {"echo": {}}}"#, named: "enforce.json", in: directory)
        let monitoring = try writeFile(#"{"version": 1, "policy": {"mode": "monitor"}, "tools": {"echo": {}}}"#, named: "monitor.json", in: directory)
        let monitored = try GateProcess(server: GateProcess.fixtureServer, options: ["--manifest", enforcing, "--monitor"],
                                        environment: ["FIXTURE_QUIET": "1"], in: directory)
        let passed = try await monitored.exchange(RPC.toolCall(id: "1", name: "add", arguments: #"{"a":1,"b":2}"#), id: "1").response
        #expect(resultText(passed) == "3", "--monitor forwards what the manifest denies: \(passed)")
        monitored.closeInput()
        _ = try await monitored.waitForExit()
        #expect(monitored.stderrText.contains("monitor mode (nothing is blocked"), "\(monitored.stderrText)")
        #expect(monitored.stderrText.contains("monitor: would deny add (tool_denied"), "\(monitored.stderrText)")

        let enforced = try GateProcess(server: GateProcess.fixtureServer, options: ["--manifest", monitoring, "--enforce"],
                                       environment: ["FIXTURE_QUIET": "1"], in: directory)
        let denied = try await enforced.exchange(RPC.toolCall(id: "1", name: "add", arguments: #"{"a":1,"b":2}"#), id: "1").response
        expectDenial(denied, id: 1, code: "tool_denied", tool: "add", rule: "policy.default", "--enforce over a monitor manifest")
        enforced.closeInput()
        _ = try await enforced.waitForExit()
    }

    @Test("a manifest for another server in front of mcp-server-git: a warning that no rule matches its 12 tools; the right one: none")
    func noRuleMatchesWarning() async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("no-rule-matches")
        let repo = directory.path("repo")
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: false)
        let initialized = try await Subprocess.run(["git", "-C", repo, "init", "-q"], environment: ["GIT_CONFIG_GLOBAL": "/dev/null"], timeout: .seconds(20))
        try #require(initialized.status == 0, "git init: \(initialized.stderr)")
        let server = [python, "-m", "mcp_server_git", "--repository", repo]
        let time = ShippedManifests.directory + "/mcp-server-time.json"
        // The time manifest's sandbox would keep the git server out of its repository (it would not
        // start): these flags give it one that lets it in.
        let sandbox = ["--sandbox", "python", "--write", repo]
        let wrong = try await SDKClient.run(mode: "legacy", script: [["op": "list_tools"]],
                                            command: [try TollgateBinary.path(), "run", "--manifest", time] + sandbox + ["--"] + server)
        let steps = try SDKClient.steps(wrong, count: 1)
        #expect(steps[0]["tools"].strings == [], "every git tool is hidden: \(steps[0])")
        let stderr = try await StderrOf.listing(manifest: time, server: server, options: sandbox)
        #expect(stderr.contains("tollgate: none of the 2 tool rules of \(ShippedManifests.directory)/mcp-server-time.json matches a tool the server lists "
                                + "(git_status, git_diff_unstaged"), "\(stderr)")
        #expect(stderr.contains("is it the manifest for this server?"), "\(stderr)")
        #expect(stderr.contains("the command after -- replaces its server time"), "\(stderr)")

        let right = try await StderrOf.listing(manifest: ShippedManifests.directory + "/mcp-server-git.json", server: server, environment: ["REPO": repo])
        #expect(!right.contains("none of the"), "\(right)")
        #expect(right.contains("tollgate: the server lists 12 tools: the manifest offers 7 and hides 5 (git_commit, git_add, git_reset, "
                               + "git_create_branch, git_checkout)"), "\(right)")
    }
}

/// The SDK client against a command whose start must fail: the `fatal` message it reports.
enum SDKClientFailure {
    static func run(mode: String, command: [String]) async throws -> String {
        let python = try await PythonEnvironment.python()
        let output = try await Subprocess.run([python, Repository.sdkClient, "--mode", mode, "--timeout", "20", "--deadline", "40", "--"] + command,
                                              timeout: .seconds(60))
        let report = try JSON(parsing: output.stdout)
        #expect(output.status == 1 && report["fatal"].exists, "the session must fail: \(report)")
        return report["fatal"].string ?? ""
    }
}

/// Tollgate's stderr over a short session in front of `server`: initialize, list the tools once, close.
enum StderrOf {
    static func listing(manifest: String, server: [String], environment: [String: String?] = [:], options: [String] = []) async throws -> String {
        let directory = try TemporaryDirectory("stderr-of")
        let gate = try GateProcess(server: server, options: ["--manifest", manifest] + options, environment: environment, in: directory)
        _ = try await gate.exchange(RPC.request(id: "1", method: "initialize",
                                                params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#), id: "1")
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        _ = try await gate.exchange(RPC.request(id: "2", method: "tools/list"), id: "2")
        gate.closeInput()
        _ = try await gate.waitForExit()
        return gate.stderrText
    }
}
