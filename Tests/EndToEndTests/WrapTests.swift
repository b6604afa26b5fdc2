import Foundation
import Testing

/// `tollgate wrap` and `unwrap` on real configuration files: Claude Code's ~/.claude.json (with
/// projects) and a project's .mcp.json, entries with env and cwd, a server that fails init, a
/// remote entry, existing backups, idempotence, a file changed while wrap runs, the byte-for-byte
/// restore, and the wrapped entry started by the official Python SDK in monitor mode.
@Suite("Wrap", .timeLimit(.minutes(3)))
struct WrapTests {
    /// A ~/.claude.json-like file: other keys, a top-level fixture server with env and cwd, a
    /// server that cannot start, a remote one, and a project's server.
    private func userConfig(cwd: String, fixtureCommand: String = #""python3", "args": [""# + Repository.fixtureServer + #""]"#) -> String {
        """
        {
          "numStartups": 7,
          "mcpServers": {
            "fixture": {
              "type": "stdio",
              "command": \(fixtureCommand),
              "env": {"FIXTURE_QUIET": "1", "FIXTURE_NAME": "wrapped-fixture"},
              "cwd": "\(cwd)"
            },
            "broken": {"command": "/nonexistent/tollgate-test-server", "args": ["--x"]},
            "remote": {"type": "http", "url": "https://example.com/mcp"}
          },
          "projects": {"\(cwd)": {"allowedTools": [], "mcpServers": {"time": {"command": "python3", "args": ["\(Repository.fixtureServer)"]}}}}
        }

        """
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("wrap: stdio entries behind Tollgate with monitor-mode manifests, env and cwd kept; a failing server and a url entry left alone; existing backups kept; twice changes nothing; unwrap restores the bytes")
    func wrapAndUnwrap() async throws {
        let directory = try TemporaryDirectory("wrap")
        let original = userConfig(cwd: directory.path)
        let config = try writeFile(original, named: "claude.json", in: directory)
        let oldBackup = try writeFile("an older backup\n", named: "claude.json.tollgate-backup", in: directory)
        let environment = ["XDG_CONFIG_HOME": directory.path("xdg")]
        let manifests = directory.path("xdg") + "/tollgate/manifests"

        let dry = try await runTollgate(["wrap", "--client", config, "--dry-run"], environment: environment)
        #expect(dry.status == 0 && dry.stdoutText.contains("+      \"command\": \"") && dry.stdoutText.contains("-      \"command\": \"python3\""), "\(dry.stdoutText) \(dry.stderr)")
        #expect(try read(config) == original && !FileManager.default.fileExists(atPath: manifests), "--dry-run writes nothing")

        let wrap = try await runTollgate(["wrap", "--client", config], environment: environment)
        #expect(wrap.status == 1, "the broken server makes wrap report a failure: \(wrap.stderr)")
        #expect(wrap.stderr.contains("mcpServers.broken: init failed (cannot start '/nonexistent/tollgate-test-server'"), "\(wrap.stderr)")
        #expect(wrap.stderr.contains("mcpServers.remote: a remote (url) server, left alone"), "\(wrap.stderr)")
        let wrapped = try read(config)
        let tollgate = try TollgateBinary.path()
        let root = try JSON(parsing: Array(wrapped.utf8))
        let fixture = root["mcpServers"]["fixture"]
        #expect(URL(fileURLWithPath: fixture["command"].string ?? "").resolvingSymlinksInPath().path == URL(fileURLWithPath: tollgate).resolvingSymlinksInPath().path)
        #expect(fixture["args"].strings == ["run", "--manifest", manifests + "/fixture.json", "--", "python3", Repository.fixtureServer])
        #expect(fixture["env"]["FIXTURE_NAME"].string == "wrapped-fixture" && fixture["cwd"].string == directory.path)
        #expect(root["mcpServers"]["broken"]["command"].string == "/nonexistent/tollgate-test-server", "a server that fails init stays unwrapped")
        let projectName = URL(fileURLWithPath: directory.path).lastPathComponent
        #expect(root["projects"][directory.path]["mcpServers"]["time"]["args"].strings?.prefix(3) == ["run", "--manifest", "\(manifests)/\(projectName)-time.json"],
                "a project's entry gets a manifest named after the project too")
        #expect(root["numStartups"].int == 7 && wrapped.contains(#""remote": {"type": "http", "url": "https://example.com/mcp"}"#))
        let manifest = try JSON(parsing: Array(try read(manifests + "/fixture.json").utf8))
        #expect(manifest["policy"]["mode"].string == "monitor" && manifest["tools"]["delete_file"]["allow"].bool == false, "\(manifest)")
        let check = try await runTollgate(["check", manifests + "/fixture.json"])
        #expect(check.status == 0, "the manifest wrap wrote loads: \(check.stderr)")
        #expect(try read(oldBackup) == "an older backup\n", "an existing backup is never overwritten")
        #expect(try read(config + ".tollgate-backup.2") == original, "the new backup holds the file as it was")

        let again = try await runTollgate(["wrap", "--client", config], environment: environment)
        #expect(try read(config) == wrapped && !FileManager.default.fileExists(atPath: config + ".tollgate-backup.3"), "wrapping twice changes nothing: \(again.stderr)")
        #expect(again.stderr.contains("mcpServers.fixture: already behind Tollgate"), "\(again.stderr)")

        // Another change to the file while wrapped (a client writing its own keys) survives unwrap.
        try wrapped.replacingOccurrences(of: #""numStartups": 7"#, with: #""numStartups": 8"#).write(toFile: config, atomically: false, encoding: .utf8)
        let unwrap = try await runTollgate(["unwrap", "--client", config], environment: environment)
        #expect(unwrap.status == 0, "\(unwrap.stderr)")
        #expect(try read(config) == original.replacingOccurrences(of: #""numStartups": 7"#, with: #""numStartups": 8"#), "unwrap restores what wrap changed, byte for byte")

        let forced = try await runTollgate(["wrap", "--client", config, "--force", "--timeout", "5"], environment: environment)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try JSON(parsing: Array(try read(config).utf8))["mcpServers"]["broken"]["args"].strings
                == ["run", "--manifest", manifests + "/broken.json", "--", "/nonexistent/tollgate-test-server", "--x"])
    }

    @Test("wrap --client claude-code: the project's .mcp.json names `tollgate` and .tollgate/ manifests, ~/.claude.json the absolute path")
    func claudeCode() async throws {
        let directory = try TemporaryDirectory("wrap-claude-code")
        let home = directory.path("home"), project = directory.path("project")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        let projectConfig = """
            {
              "mcpServers": {
                "fixture": {"command": "python3", "args": ["\(Repository.fixtureServer)"], "env": {"FIXTURE_QUIET": "1"}}
              }
            }

            """
        try projectConfig.write(toFile: project + "/.mcp.json", atomically: false, encoding: .utf8)
        try userConfig(cwd: project).write(toFile: home + "/.claude.json", atomically: false, encoding: .utf8)
        let output = try await runTollgate(["wrap", "--client", "claude-code"], environment: ["HOME": home, "XDG_CONFIG_HOME": nil], directory: project)
        #expect(output.status == 1, "the broken server in ~/.claude.json: \(output.stderr)")
        let shared = try JSON(parsing: Array(try read(project + "/.mcp.json").utf8))["mcpServers"]["fixture"]
        #expect(shared["command"].string == "tollgate")
        #expect(shared["args"].strings == ["run", "--manifest", ".tollgate/fixture.json", "--", "python3", Repository.fixtureServer])
        #expect(FileManager.default.fileExists(atPath: project + "/.tollgate/fixture.json"))
        let user = try JSON(parsing: Array(try read(home + "/.claude.json").utf8))["mcpServers"]["fixture"]
        #expect(user["command"].string?.hasPrefix("/") == true && user["args"].strings?[2] == home + "/.config/tollgate/manifests/fixture.json")
    }

    @Test("the wrapped entry, started by the official Python SDK as a client would, reports a would-be denial in monitor mode and lets the call through")
    func wrappedEntryUnderTheSDK() async throws {
        let directory = try TemporaryDirectory("wrap-sdk")
        let python = try await PythonEnvironment.python()
        let config = try writeFile(userConfig(cwd: directory.path), named: "claude.json", in: directory)
        let wrap = try await runTollgate(["wrap", "--client", config, "--manifests", directory.path("manifests")])
        try #require(wrap.stderr.contains("mcpServers.fixture: 11 tools listed"), "\(wrap.stderr)")
        let entry = try JSON(parsing: Array(try read(config).utf8))["mcpServers"]["fixture"]
        let command = try #require(entry["command"].string), arguments = try #require(entry["args"].strings)
        let environment = (entry["env"].object ?? [:]).compactMap { key, value in value.string.map { "\(key)=\($0)" } }.sorted()
        let script = #"[{"op":"call_tool","name":"delete_file","arguments":{"path":"/tmp/x"}},{"op":"call_tool","name":"echo","arguments":{"text":"hi"}}]"#
        let output = try await Subprocess.run([python, Repository.sdkClient, "--timeout", "20", "--deadline", "40", "--script", script, "--cwd", try #require(entry["cwd"].string)]
                                              + environment.flatMap { ["--env", $0] } + ["--", command] + arguments, timeout: .seconds(60))
        let report = try JSON(parsing: output.stdout)
        #expect(output.status == 0 && report["serverInfo"]["name"].string == "wrapped-fixture", "the entry's env reached the server: \(report) \(output.stderr)")
        #expect(report["steps"][0]["text"].string == "deleted" && report["steps"][0]["isError"].bool != true, "monitor mode lets it through: \(report)")
        #expect(report["steps"][1]["text"].string == "hi", "\(report)")
        #expect(output.stderr.contains("monitor: would deny delete_file (tool_denied, tools.delete_file)"), "\(output.stderr)")

        // status shows the entry in monitor mode with its audit counts; enforce prints the
        // would-be denial and switches the manifest; the next session is denied delete_file.
        let manifest = directory.path("manifests") + "/fixture.json"
        let status = try await runTollgate(["status", "--client", config])
        #expect(status.stdoutText.contains("mcpServers.fixture: behind Tollgate, manifest \(manifest), monitor mode; last 24 h: 1 allowed, 0 denied, 1 would-be denied"),
                "\(status.stdoutText) \(status.stderr)")
        #expect(status.stdoutText.contains("mcpServers.broken: not behind Tollgate"), "\(status.stdoutText)")
        let enforce = try await runTollgate(["enforce", manifest])
        #expect(enforce.status == 0 && enforce.stdoutText.contains("  delete_file: 1 (tool_denied 1)"), "\(enforce.stdoutText) \(enforce.stderr)")
        #expect(try JSON(parsing: Array(try read(manifest).utf8))["policy"]["mode"].string == "enforce")
        let enforced = try await Subprocess.run([python, Repository.sdkClient, "--timeout", "20", "--deadline", "40", "--script", script, "--cwd", try #require(entry["cwd"].string)]
                                                + environment.flatMap { ["--env", $0] } + ["--", command] + arguments, timeout: .seconds(60))
        let after = try JSON(parsing: enforced.stdout)
        #expect(after["steps"][0]["text"].string != "deleted" && after["steps"][1]["text"].string == "hi", "enforce mode denies delete_file: \(after)")
    }

    @Test("a file changed between wrap's read and its write: the edit is made again on the new content, which is kept")
    func changedWhileWrapping() async throws {
        let directory = try TemporaryDirectory("wrap-changed")
        // The server takes 2 s to start, so the file is rewritten while init runs.
        let slow = #""sh", "args": ["-c", "sleep 2; exec python3 "# + Repository.fixtureServer + #""]"#
        let original = userConfig(cwd: directory.path, fixtureCommand: slow)
        let config = try writeFile(original, named: "claude.json", in: directory)
        async let wrap = runTollgate(["wrap", "--client", config, "--manifests", directory.path("manifests")])
        try await Task.sleep(for: .milliseconds(800))
        let changed = original.replacingOccurrences(of: #""numStartups": 7"#, with: #""numStartups": 9"#)
        try changed.write(toFile: config, atomically: false, encoding: .utf8)
        let output = try await wrap
        let wrapped = try read(config)
        #expect(wrapped.contains(#""numStartups": 9"#), "the client's change is kept: \(output.stderr)")
        #expect(try JSON(parsing: Array(wrapped.utf8))["mcpServers"]["fixture"]["args"].strings?.prefix(2) == ["run", "--manifest"], "\(output.stderr)")
        #expect(try read(config + ".tollgate-backup") == changed, "the backup holds what was replaced")
    }
}
