import Foundation
import Testing

/// A manifest means the same wherever Tollgate is started: relative paths start at the manifest's
/// folder, `${NAME}` and `${MANIFEST_DIR}` expand in every field that takes them, an unset
/// variable stops the start naming its file:line, and a manifest `init` wrote works from anywhere.
@Suite("Working directories, paths and variables", .timeLimit(.minutes(2)))
struct WorkingDirectoryTests {
    /// `path` with symbolic links resolved (the manifest's folder is named that way).
    private func real(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    private func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    private func records(_ path: String) throws -> [JSON] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSON(parsing: String($0)) }
    }

    @Test("started elsewhere with ../config/m.json: cwd, the server's relative command, audit, ledger, approver and pathWithin all start at the manifest's folder")
    func relativePaths() async throws {
        let directory = try TemporaryDirectory("relative-paths")
        let config = directory.path("config")
        let elsewhere = directory.path("elsewhere")
        for folder in [config + "/work", config + "/data", config + "/logs", elsewhere] { try makeDirectory(folder) }
        try FileManager.default.copyItem(atPath: Repository.fixtureServer, toPath: config + "/work/fixture_server.py")
        // The approver is a link to /bin/true: found only if "./approve" is taken from the manifest's folder.
        try FileManager.default.createSymbolicLink(atPath: config + "/approve", withDestinationPath: "/bin/true")
        try writeFile("""
            {"version": 1,
             "servers": {"fixture": {"command": "python3", "args": ["fixture_server.py"], "cwd": "work"}},
             "tools": {"echo": {}, "add": {"approval": {"command": ["./approve"], "ask": false}},
                       "delete_file": {"arguments": {"properties": {"path": {"pathWithin": ["data"]}}}}},
             "budgets": {"calls": 10, "ledger": "state.ledger"},
             "audit": {"path": "logs/audit.log"}}
            """, named: "config/m.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", "../config/m.json"], environment: ["FIXTURE_QUIET": "1"],
                                   in: directory, workingDirectory: elsewhere)
        let echo = try await gate.exchange(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"hi"}"#), id: "1").response
        #expect(resultText(echo) == "hi", "the server started from its cwd, config/work: \(echo)\(gate.stderrTail)")
        let add = try await gate.exchange(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":1,"b":2}"#), id: "2").response
        #expect(resultText(add) == "3", "./approve was found beside the manifest and approved: \(add)\(gate.stderrTail)")
        let inside = try await gate.exchange(RPC.toolCall(id: "3", name: "delete_file", arguments: #"{"path":"\#(config)/data/x"}"#), id: "3").response
        #expect(resultText(inside) == "deleted", "config/data is the pathWithin directory: \(inside)")
        let outside = try await gate.exchange(RPC.toolCall(id: "4", name: "delete_file", arguments: #"{"path":"\#(elsewhere)/data/x"}"#), id: "4").response
        expectDenial(outside, id: 4, code: "arguments_rejected", tool: "delete_file", rule: "tools.delete_file",
                     pointer: "/path", keyword: "pathWithin", "data is not Tollgate's working directory's data")
        let relative = try await gate.exchange(RPC.toolCall(id: "5", name: "delete_file", arguments: #"{"path":"../data/y"}"#), id: "5").response
        #expect(resultText(relative) == "deleted", "a relative path in a call is the server's: config/work/../data/y: \(relative)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrText)")

        let audit = try records(config + "/logs/audit.log")
        #expect(audit.filter { $0["event"].string == "decision" }.count == 5, "the audit log is config/logs/audit.log: \(audit.count) records")
        #expect(FileManager.default.fileExists(atPath: config + "/state.ledger"), "the ledger is config/state.ledger")
        let strays = try FileManager.default.contentsOfDirectory(atPath: elsewhere)
        #expect(strays.isEmpty, "nothing is written where Tollgate was started: \(strays)")
    }

    @Test("${NAME}, ${NAME:-default}, ${MANIFEST_DIR}, \"$NAME\" and $$ in command, args, cwd, env, audit and pathWithin")
    func variables() async throws {
        let directory = try TemporaryDirectory("variables")
        let data = directory.path("data")
        try makeDirectory(data)
        try writeFile("""
            {"version": 1,
             "servers": {"fixture": {"command": "${PYTHON:-python3}", "args": ["${FIXTURES}/fixture_server.py"], "cwd": "${MANIFEST_DIR}",
                                     "env": {"GREETING": "${GREETING:-hello}", "TOKEN": "$TOKEN", "PRICE": "$$5", "HOME_DIR": "${MANIFEST_DIR}/home"}}},
             "tools": {"env": {}, "delete_file": {"arguments": {"properties": {"path": {"pathWithin": ["${DATA}"]}}}}},
             "audit": {"path": "${MANIFEST_DIR}/audit.log"}}
            """, named: "m.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", directory.path("m.json")],
                                   environment: ["FIXTURES": Repository.fixtures, "TOKEN": "t0k", "DATA": data, "FIXTURE_QUIET": "1",
                                                 "PYTHON": nil, "GREETING": nil],
                                   in: directory, workingDirectory: "/")
        let env = try await gate.exchange(RPC.toolCall(id: "1", name: "env"), id: "1").response
        let environment = try JSON(parsing: try #require(resultText(env), "\(env)\(gate.stderrTail)"))
        let folder = real(directory.path)
        #expect(environment["GREETING"].string == "hello" && environment["TOKEN"].string == "t0k" && environment["PRICE"].string == "$5"
                && environment["HOME_DIR"].string == folder + "/home", "\(environment)")
        let inside = try await gate.exchange(RPC.toolCall(id: "2", name: "delete_file", arguments: #"{"path":"\#(data)/x"}"#), id: "2").response
        #expect(resultText(inside) == "deleted", "\(inside)")
        let outside = try await gate.exchange(RPC.toolCall(id: "3", name: "delete_file", arguments: #"{"path":"/tmp/x"}"#), id: "3").response
        expectDenial(outside, id: 3, code: "arguments_rejected", tool: "delete_file", rule: "tools.delete_file",
                     pointer: "/path", keyword: "pathWithin", "outside ${DATA}")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrText)")
        #expect(try records(directory.path("audit.log")).count >= 3, "the audit log is ${MANIFEST_DIR}/audit.log")
    }

    @Test("an unset variable stops the start: the client's initialize is answered with its file:line and name, and Tollgate exits 2")
    func unsetVariable() async throws {
        let directory = try TemporaryDirectory("unset-variable")
        let manifest = try writeFile("""
            {"version": 1,
             "servers": {"fixture": {"command": "python3",
                                     "args": ["${FIXTURE_SCRIPT}"]}}}
            """, named: "m.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", manifest], environment: ["FIXTURE_SCRIPT": nil], in: directory)
        let answer = try await gate.exchange(RPC.request(id: "1", method: "initialize", params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#), id: "1").response
        let message = answer["error"]["message"].string ?? ""
        #expect(message.contains("\(manifest):3:35: servers.fixture.args[0]: ${FIXTURE_SCRIPT} is not set in Tollgate's environment"), "\(answer)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 2, "\(gate.stderrText)")
        #expect(gate.stderrText.contains("${FIXTURE_SCRIPT} is not set"), "\(gate.stderrText)")
    }

    @Test("init's manifest, written in one folder, saved in another and run from a third, starts the same server")
    func initReusedElsewhere() async throws {
        let directory = try TemporaryDirectory("init-elsewhere")
        let project = directory.path("project")
        let store = directory.path("store")
        let other = directory.path("other")
        for folder in [project, store, other] { try makeDirectory(folder) }
        try FileManager.default.copyItem(atPath: Repository.fixtureServer, toPath: project + "/fixture_server.py")
        let initialized = try await runTollgate(["init", "--", "python3", "fixture_server.py"], environment: ["FIXTURE_QUIET": "1"], directory: project)
        try #require(initialized.status == 0, "init: \(initialized.stderr)")
        let starter = try JSON(parsing: initialized.stdout)
        #expect(starter["$schema"].string == "file://" + real(Repository.root) + "/manifests/tollgate.schema.json", "\(starter["$schema"])")
        let server = try #require(starter["servers"].object?.values.first, "\(starter)")
        #expect(server["cwd"].string == real(project) && server["command"].string == "python3"
                && server["args"].strings == ["fixture_server.py"], "\(server)")
        let manifest = try writeFile(initialized.stdoutText, named: "store/fixture.json", in: directory)

        let check = try await runTollgate(["check", manifest], directory: other)
        #expect(check.status == 0 && check.stderr.isEmpty, "check from elsewhere: \(check.stderr)")
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "echo", "arguments": ["text": "from elsewhere"]],
            ["op": "call_tool", "name": "delete_file", "arguments": ["path": "/tmp/x"]],
        ]
        let report = try await SDKClient.run(mode: "legacy", script: script, command: [try TollgateBinary.path(), "run", "--manifest", manifest],
                                             extra: ["--cwd", other, "--env", "FIXTURE_QUIET=1"])
        let steps = try SDKClient.steps(report, count: 3)
        #expect(steps[0]["tools"].strings?.contains("echo") == true, "\(steps[0])")
        expectSDKSuccess(steps[1], tool: "echo", "echo, read-only")
        #expect(steps[1]["text"].string == "from elsewhere")
        expectSDKDenial(steps[2], code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "destructive: denied pending review")
    }
}
