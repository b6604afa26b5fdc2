import Testing
@testable import TollgateKit

/// Variables and relative paths in every field that takes them, as the loader applies them.
@Suite("Manifest paths and variables")
struct ManifestPathsTests {
    static let environment = ["REPO": "/home/me/repo", "TOKEN": "t0k", "HOSTS": "corp.example", "LOGS": "/var/log/agents", "BIN": "/opt/bin"]

    @Test("${NAME} expands in command, args, cwd, env values, audit and ledger paths, approver commands, pathWithin and hostIn")
    func everyField() throws {
        let manifest = try parseManifest("""
            {"version": 1,
             "servers": {"git": {"command": "${BIN}/git-mcp", "args": ["--repository", "${REPO}", "${MODE:-fast}"], "cwd": "${REPO}/work",
                                 "env": {"TOKEN": "${TOKEN}", "OLD": "$TOKEN"}}},
             "tools": {
               "read": {"arguments": {"properties": {"path": {"pathWithin": ["${REPO}", "${MANIFEST_DIR}/shared"]},
                                                     "url": {"hostIn": ["api.${HOSTS}"]}}}},
               "deploy": {"approval": {"command": ["${BIN}/approve", "--repo=${REPO}"]}}
             },
             "budgets": {"calls": 5, "ledger": "${LOGS}/budgets.ledger"},
             "audit": {"path": "${LOGS}/audit.log"}}
            """, file: "/etc/tollgate/m.json", environment: Self.environment).get()
        let server = try #require(manifest.servers.first)
        #expect(server.arguments == ["/opt/bin/git-mcp", "--repository", "/home/me/repo", "fast"])
        #expect(server.workingDirectory == "/home/me/repo/work")
        #expect(server.environment.variables.map(\.value) == ["t0k", "t0k"])
        #expect(manifest.audit?.path == "/var/log/agents/audit.log")
        #expect(manifest.budgets.ledger == "/var/log/agents/budgets.ledger")
        #expect(manifest.tools[1].approval?.command == ["/opt/bin/approve", "--repo=/home/me/repo"])
        let schema = try #require(manifest.tools[0].arguments)
        #expect(schema.validate(.object(["path": "/home/me/repo/README.md"])) == nil)
        #expect(schema.validate(.object(["path": "/etc/tollgate/shared/x"])) == nil)
        #expect(schema.validate(.object(["path": "/home/me/other"]))?.keyword == "pathWithin")
        #expect(schema.validate(.object(["url": "https://api.corp.example/v1"])) == nil)
        #expect(schema.validate(.object(["url": "https://evil.example/"]))?.keyword == "hostIn")
    }

    @Test("relative paths start at the manifest's folder: cwd (also its default), audit, ledger, approver commands, pathWithin")
    func relativePaths() throws {
        let manifest = try parseManifest("""
            {"version": 1,
             "servers": {"a": {"command": "./server.py", "args": ["data"], "cwd": "work"}, "b": {"command": "python3"}},
             "tools": {"a__read": {"arguments": {"properties": {"path": {"pathWithin": ["data", "."]}}}},
                       "a__x": {"approval": {"command": ["./approve.sh", "./arg"]}}, "a__y": {"approval": {"command": ["approve"]}}},
             "budgets": {"calls": 1, "ledger": "state/budgets.ledger"},
             "audit": {"path": "logs/audit.log"}}
            """, file: "/etc/tollgate/m.json").get()
        #expect(manifest.directory == "/etc/tollgate")
        #expect(manifest.servers.map(\.workingDirectory) == ["/etc/tollgate/work", "/etc/tollgate"])
        #expect(manifest.servers[0].arguments == ["./server.py", "data"], "a command is found from its cwd when it runs; args stay as written")
        #expect(manifest.audit?.path == "/etc/tollgate/logs/audit.log")
        #expect(manifest.budgets.ledger == "/etc/tollgate/state/budgets.ledger")
        #expect(manifest.tools[1].approval?.command == ["/etc/tollgate/approve.sh", "./arg"])
        #expect(manifest.tools[2].approval?.command == ["approve"], "a command without a slash is looked up on PATH")
        let schema = try #require(manifest.tools[0].arguments)
        #expect(schema.validate(.object(["path": "/etc/tollgate/data/f"])) == nil)
        #expect(schema.validate(.object(["path": "/etc/passwd"]))?.keyword == "pathWithin")
    }

    @Test("an unset variable is an error at its file:line naming it, unless loaded for check, which keeps it as a warning")
    func unsetVariable() throws {
        let text = """
            {"version": 1,
             "servers": {"git": {"command": "uvx",
                                 "args": ["mcp-server-git", "--repository", "${REPO}"]}},
             "tools": {"git_status": {"arguments": {"properties": {"repo_path": {"pathWithin": ["${REPO}"]}}}}}}
            """
        let issues = manifestIssues(text)
        #expect(issues.map(\.description) == [
            "test.json:3:65: servers.git.args[2]: ${REPO} is not set in Tollgate's environment; set it, or write ${REPO:-default}",
            "test.json:4:85: tools.git_status.arguments.properties.repo_path.pathWithin[0]: ${REPO} is not set in Tollgate's environment; set it, or write ${REPO:-default}",
        ], "\(issues)")
        let manifest = try parseManifest(text, allowsUnsetVariables: true).get()
        #expect(manifest.unsetVariables.map(\.line) == [3, 4])
        #expect(manifest.requiredPaths.map(\.key) == ["servers.git.command"], "nothing that holds an unset variable is looked for")
    }

    @Test("a malformed reference is an error; a const or enum value named like a keyword is not expanded")
    func malformedAndUntouched() throws {
        let issues = manifestIssues(#"{"version": 1, "servers": {"s": {"command": "x", "args": ["${A"]}}}"#)
        #expect(issues.count == 1 && issues[0].path == "servers.s.args[0]" && issues[0].message.contains("is not closed"), "\(issues)")
        let manifest = try parseManifest("""
            {"version": 1, "tools": {"t": {"arguments": {"properties": {"pathWithin": {"const": {"pathWithin": ["${UNSET}"]}},
                                                                       "e": {"enum": ["${UNSET}"]}}}}}}
            """).get()
        let schema = try #require(manifest.tools.first?.arguments)
        #expect(schema.validate(.object(["pathWithin": .object(["pathWithin": .array(["${UNSET}"])])])) == nil)
        #expect(schema.validate(.object(["e": "${UNSET}"])) == nil)
    }

    @Test("every problem of an argument schema is listed, not only the first")
    func everySchemaProblem() {
        let issues = manifestIssues("""
            {"version": 1, "tools": {"t": {"arguments": {"type": "strnig",
              "properties": {"a": {"minLength": "3"}, "b": {"patern": "x"}}, "maxItems": -1}}}}
            """)
        #expect(issues.map(\.path) == ["tools.t.arguments.type", "tools.t.arguments.properties.a.minLength",
                                       "tools.t.arguments.properties.b.patern", "tools.t.arguments.maxItems"], "\(issues)")
    }

    @Test("a version other than 1 says what is expected, without a one-value range")
    func versionMessage() {
        let issues = manifestIssues(#"{"version": 2}"#)
        #expect(issues.map(\.message) == ["expected 1, found 2"])
    }

    @Test("the directories and programs the manifest names are recorded where they are written")
    func requiredPaths() throws {
        let manifest = try parseManifest("""
            {"version": 1,
             "servers": {"s": {"command": "uvx", "cwd": "/srv/w", "env": {"inherit": false, "PATH": "/opt/bin"}}},
             "tools": {"t": {"approval": {"command": ["approve"]},
                             "arguments": {"properties": {"p": {"pathWithin": ["/srv/data"]}}}}}}
            """, file: "/etc/tollgate/m.json", environment: ["PATH": "/usr/bin"]).get()
        let required = manifest.requiredPaths.map { "\($0.key)@\($0.line):\($0.column)=\($0.value)" }
        #expect(required == ["servers.s.cwd@2:45=/srv/w", "servers.s.command@2:31=uvx",
                             "tools.t.approval.command[0]@3:43=approve", "tools.t.arguments.properties.p.pathWithin[0]@4:68=/srv/data"], "\(required)")
        #expect(manifest.requiredPaths[1].kind == .command(searchPath: "/opt/bin", workingDirectory: "/srv/w"), "the server's own PATH")
        #expect(manifest.requiredPaths[2].kind == .command(searchPath: "/usr/bin", workingDirectory: FileIO.currentDirectory()))
    }
}
