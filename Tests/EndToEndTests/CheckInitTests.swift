import Foundation
import Testing

/// `tollgate check FILE` (exit 2 with file:line, key path and a suggestion, every problem listed;
/// exit 0 with one summary line and warnings about what would fail where it runs; `--strict`:
/// warnings exit 1; `-`: stdin) and `tollgate init -- COMMAND` (a strict-JSON starter manifest
/// that `check` accepts).
@Suite("check and init", .timeLimit(.minutes(2)))
struct CheckInitTests {
    @Test("check: a typo and a wrong type → exit 2, each named by file:line, key path and what is expected")
    func checkReportsProblems() async throws {
        let directory = try TemporaryDirectory("check-bad")
        // Line 5: the typo; line 6: a string where a boolean belongs.
        let path = try writeFile("""
            {
              "version": 1,
              "policy": { "default": "deny" },
              "tools": {
                "echo": { "alow": true },
                "add": { "allow": "yes" }
              }
            }
            """, named: "broken.json", in: directory)
        let output = try await runTollgate(["check", path])
        #expect(output.status == 2, "exit \(output.status); stderr: \(output.stderr)")
        #expect(output.stdout.isEmpty, "nothing on stdout: \(output.stdoutText)")
        let lines = output.stderr.split(separator: "\n").map(String.init)
        let typo = lines.first { $0.contains("tools.echo.alow") }
        #expect(typo?.contains("\(path):5:") == true, "the typo's line must name \(path):5: \(output.stderr)")
        #expect(typo?.contains(#"did you mean "allow"?"#) == true, "the typo's line must suggest allow: \(output.stderr)")
        let wrongType = lines.first { $0.contains("tools.add.allow") }
        #expect(wrongType?.contains("\(path):6:") == true, "the wrong type's line must name \(path):6: \(output.stderr)")
        #expect(wrongType?.contains("expected true or false") == true, "the wrong type's line must say what is expected: \(output.stderr)")
        #expect(output.stderr.contains("2 problems"), "every problem is counted: \(output.stderr)")
    }

    @Test("check: a valid manifest → exit 0 and one summary line on stdout")
    func checkAcceptsValid() async throws {
        let directory = try TemporaryDirectory("check-good")
        let path = try writeFile(PolicyTests.manifest, named: "good.json", in: directory)
        let output = try await runTollgate(["check", path])
        #expect(output.status == 0, "exit \(output.status); stderr: \(output.stderr)")
        let lines = output.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line on stdout: \(output.stdoutText)")
        #expect(output.stdoutText == "\(path): OK: default deny, enforce mode; 6 tool rules (4 allow, 2 deny, 1 with argument schemas); 0 servers\n",
                "summary: \(output.stdoutText)")
        #expect(output.stderr.isEmpty, "stderr: \(output.stderr)")
    }

    @Test("check lists every problem it finds, several in one argument schema too, and counts them")
    func checkListsEveryProblem() async throws {
        let directory = try TemporaryDirectory("check-every")
        let path = try writeFile("""
            {"version": 2,
             "servers": {"s": {"command": "x", "args": ["${A"]}},
             "tools": {"echo": {"arguments": {"type": "strnig",
                                              "properties": {"text": {"maxLength": "3", "patern": "x"}}}}}}
            """, named: "broken.json", in: directory)
        let output = try await runTollgate(["check", path])
        #expect(output.status == 2, "stderr: \(output.stderr)")
        let paths = ["version", "servers.s.args[0]", "tools.echo.arguments.type", "tools.echo.arguments.properties.text.maxLength",
                     "tools.echo.arguments.properties.text.patern"]
        for key in paths { #expect(output.stderr.contains(": \(key): "), "\(key) is listed: \(output.stderr)") }
        #expect(output.stderr.contains("\(path):1:13: version: expected 1, found 2"), "\(output.stderr)")
        #expect(output.stderr.contains("\(path): 5 problems; Tollgate will not start with this manifest"), "\(output.stderr)")
    }

    @Test("check warns about what would fail here (unset variable, program not on PATH, missing cwd, pathWithin directory, approver); --strict exits 1")
    func checkWarningsAndStrict() async throws {
        let directory = try TemporaryDirectory("check-warnings")
        let path = try writeFile("""
            {"version": 1,
             "servers": {"git": {"command": "no-such-mcp-server", "args": ["--repository", "${REPO}"], "cwd": "missing"}},
             "tools": {"git_commit": {"approval": {"command": ["./approve.sh"]}},
                       "git_status": {"arguments": {"properties": {"repo_path": {"pathWithin": ["/no/such/repository"]}}}}}}
            """, named: "warned.json", in: directory)
        let environment: [String: String?] = ["REPO": nil]
        let output = try await runTollgate(["check", path], environment: environment)
        #expect(output.status == 0, "warnings alone pass: \(output.stderr)")
        #expect(output.stdoutText == "\(path): OK: default deny, enforce mode; 2 tool rules (2 allow, 0 deny, 1 with argument schemas); 1 server (git); "
                + "5 warnings (on stderr)\n", "\(output.stdoutText)")
        let folder = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        let warnings = output.stderr.split(separator: "\n").map(String.init)
        #expect(warnings == [
            "tollgate: warning: \(path):2:33: servers.git.command: the program no-such-mcp-server is not on PATH (\(ProcessInfo.processInfo.environment["PATH"] ?? ""))",
            "tollgate: warning: \(path):2:80: servers.git.args[1]: ${REPO} is not set in Tollgate's environment; set it, or write ${REPO:-default}",
            "tollgate: warning: \(path):2:99: servers.git.cwd: the directory \(folder)/missing does not exist",
            "tollgate: warning: \(path):3:52: tools.git_commit.approval.command[0]: the program \(folder)/approve.sh does not exist",
            "tollgate: warning: \(path):4:85: tools.git_status.arguments.properties.repo_path.pathWithin[0]: the directory /no/such/repository does not exist",
        ], "\(output.stderr)")
        let strict = try await runTollgate(["check", "--strict", path], environment: environment)
        #expect(strict.status == 1, "--strict fails on warnings: \(strict.stderr)")
        #expect(strict.stdout.isEmpty, "\(strict.stdoutText)")
        #expect(strict.stderr.hasSuffix("tollgate: \(path): 5 warnings; --strict fails on warnings\n"), "\(strict.stderr)")
        let clean = try writeFile(#"{"version": 1, "servers": {"sh": {"command": "sh"}}}"#, named: "clean.json", in: directory)
        let passes = try await runTollgate(["check", "--strict", clean])
        #expect(passes.status == 0 && passes.stderr.isEmpty, "\(passes.stderr)")
    }

    @Test("check - reads the manifest from stdin; its relative paths start at the working directory")
    func checkReadsStandardInput() async throws {
        let directory = try TemporaryDirectory("check-stdin")
        let folder = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        let output = try await runTollgate(["check", "-"], directory: directory.path, input: """
            {"version": 1, "tools": {"read": {"arguments": {"properties": {"p": {"pathWithin": ["data"]}}}}}}
            """)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdoutText.hasPrefix("<stdin>: OK: default deny, enforce mode; 1 tool rule (1 allow"), "\(output.stdoutText)")
        #expect(output.stderr == "tollgate: warning: <stdin>:1:85: tools.read.arguments.properties.p.pathWithin[0]: the directory \(folder)/data does not exist\n",
                "\(output.stderr)")
        let bad = try await runTollgate(["check", "-"], input: #"{"version": 1, "tools": {"x": {"alow": true}}}"#)
        #expect(bad.status == 2 && bad.stderr.contains("<stdin>:1:32: tools.x.alow: unknown key"), "\(bad.stderr)")
    }

    /// Runs `tollgate init -- command`, parses stdout strictly and checks the result with `check`.
    private func initManifest(_ command: [String], environment: [String: String?] = [:], label: String) async throws -> (JSON, CommandOutput) {
        let output = try await runTollgate(["init", "--"] + command, environment: environment)
        try #require(output.status == 0, "init exited \(output.status): \(output.stderr)")
        // Strict JSON: JSONSerialization accepts no comments and no trailing commas.
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout))
        try #require(object is [String: Any], "init must print a JSON object: \(output.stdoutText)")
        let manifest = JSON(object)

        let directory = try TemporaryDirectory(label)
        let path = try writeFile(output.stdoutText, named: "starter.json", in: directory)
        let check = try await runTollgate(["check", path])
        #expect(check.status == 0, "the starter manifest must pass check: \(check.stderr)\n\(output.stdoutText)")
        return (manifest, output)
    }

    @Test("init -- mcp-server-time → strict JSON, default deny, both (read-only) tools allowed; check passes")
    func initTimeServer() async throws {
        let python = try await PythonEnvironment.python()
        let (manifest, output) = try await initManifest([python, "-m", "mcp_server_time"], label: "init-time")
        #expect(manifest["version"].int == 1, "\(manifest)")
        #expect(manifest["policy"]["default"].string == "deny", "\(manifest["policy"])")
        let tools = try #require(manifest["tools"].object, "\(manifest)")
        #expect(Set(tools.keys) == ["get_current_time", "convert_time"], "tools: \(tools.keys.sorted())")
        for (name, rule) in tools {
            #expect(rule["allow"].bool == true, "\(name) carries readOnlyHint and must be proposed allowed: \(rule)")
        }
        #expect(manifest["servers"].object?.count == 1, "the command is recorded as the one server: \(manifest["servers"])")
        #expect(output.stderr.contains("init: 2 tools listed; 2 proposed allowed, 0 denied pending review"), "stderr: \(output.stderr)")
        // A sandbox to review: Python's preset, the directory init ran in read-only, no network.
        let sandbox = manifest["servers"].object?.values.first?["sandbox"]
        #expect(sandbox?["preset"].string == "python" && sandbox?["filesystem"]["read"].strings == [FileManager.default.currentDirectoryPath]
                && sandbox?["network"].string == "none", "\(manifest["servers"])")
        #expect(output.stderr.contains("init: the sandbox is a proposal to review: preset python"), "stderr: \(output.stderr)")
    }

    @Test("init follows tools/list pagination (FIXTURE_PAGE_SIZE=2): every tool is listed")
    func initFollowsPages() async throws {
        let (manifest, output) = try await initManifest(
            GateProcess.fixtureServer, environment: ["FIXTURE_PAGE_SIZE": "2", "FIXTURE_QUIET": "1"], label: "init-pages")
        let tools = try #require(manifest["tools"].object, "\(manifest)")
        #expect(Set(tools.keys) == Set(PolicyTests.fixtureTools), "tools: \(tools.keys.sorted())")
        #expect(tools["echo"]?["allow"].bool == true, "echo is readOnlyHint: \(tools["echo"] ?? JSON(nil))")
        #expect(tools["delete_file"]?["allow"].bool == false, "delete_file is destructiveHint: \(tools["delete_file"] ?? JSON(nil))")
        #expect(tools["sleep"]?["allow"].bool == false, "sleep has no hints: denied pending review: \(tools["sleep"] ?? JSON(nil))")
        #expect(output.stderr.contains("init: \(PolicyTests.fixtureTools.count) tools listed"), "stderr: \(output.stderr)")
    }
}
