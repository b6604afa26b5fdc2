import Foundation
import Testing

/// A raw carriage return is JSON whitespace, so the gate reads a message with CRs between its
/// tokens as one message. The official MCP Python SDK's stdio transport (text-mode stdin with
/// universal newlines) and Node's `readline` end a line at a CR, though: a message that hides
/// another between two CRs would reach such a server as pieces, one of them the hidden message,
/// say a `tools/call` no decision saw. Tollgate replaces every raw CR it forwards by a tab (the
/// same JSON), so the server reads the one message the gate read.
///
/// (Tollgate's exit status is its server's, and a loaded machine may keep an SDK server busy past
/// the 2 s Tollgate waits after closing its input before SIGTERM: the tests do not look at it.)
@Suite("Framing: a raw carriage return smuggles no message past the gate", .timeLimit(.minutes(3)))
struct FramingTests {
    static let initialize = #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#

    /// Lines that each carry `hidden` (a whole message) between two raw CRs: in a notification,
    /// a ping, a response, a batch, an allowed call's arguments; `{label}` in `hidden` is replaced
    /// by each line's label, so a leak tells which line it came from.
    static func smuggling(_ hidden: String, notification: String = "notifications/vendor.example/note") -> [(label: String, line: [UInt8])] {
        let carriers = [
            ("notification", #"{"jsonrpc":"2.0","method":"\#(notification)","params":{"hidden":HIDDEN}}"#),
            ("ping", #"{"jsonrpc":"2.0","id":"p-1","method":"ping","params":{"hidden":HIDDEN}}"#),
            ("response", #"{"jsonrpc":"2.0","id":"s-1","result":{"hidden":HIDDEN}}"#),
            ("batch", #"[{"jsonrpc":"2.0","method":"\#(notification)","params":{"hidden":HIDDEN}}]"#),
            ("spaced", #"{"jsonrpc":"2.0","method":"\#(notification)","params":{"hidden": HIDDEN, "more": 1 }}"#),
            ("arguments", #"{"jsonrpc":"2.0","id":"c-1","method":"tools/call","params":{"name":"echo","arguments":{"text":"carrier","hidden":HIDDEN}}}"#),
        ]
        return carriers.enumerated().map { index, carrier in
            let message = hidden.replacingOccurrences(of: "{label}", with: carrier.0).replacingOccurrences(of: "{n}", with: "\(900 + index)")
            let wrapped = index == 4 ? "\r \(message) \r" : "\r\(message)\r"
            return (carrier.0, Array(carrier.1.replacingOccurrences(of: "HIDDEN", with: wrapped).utf8))
        }
    }

    /// Sends the handshake and lists the tools, then every smuggling line, then `visible` (an
    /// allowed call with id 100), and reads up to its answer.
    private func drive(_ gate: GateProcess, hiding hidden: String, notification: String = "notifications/vendor.example/note", visible: String) async throws {
        try await gate.send(Self.initialize)
        let answer = try await gate.readJSON(timeout: .seconds(60))
        try #require(answer["result"]["protocolVersion"].exists, "initialize: \(answer)\(gate.stderrTail)")
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        // Listed first, so that with several servers every one is ready and gets what is forwarded.
        let listed = try await gate.exchange(RPC.request(id: #""list""#, method: "tools/list"), id: "list").response
        try #require(listed["result"]["tools"].array?.isEmpty == false, "tools/list: \(listed)\(gate.stderrTail)")
        for (_, line) in Self.smuggling(hidden, notification: notification) {
            try await gate.send(bytes: line + [0x0A])
        }
        try await gate.send(visible)
        let lines = try await gate.readLines(timeout: .seconds(60)) { $0.contains(bytes: Array(#""id":100"#.utf8)) }
        #expect(lines.last.map { (try? JSON(parsing: $0))?["result"]["isError"].bool } == false, "the visible call: \(lines.last?.text ?? "")")
    }

    /// The tools/calls `recording_sdk_server.py` executed, as (tool, text).
    private func executed(_ record: String) throws -> [(tool: String, text: String)] {
        try fileLines(record).map { line in
            let call = try JSON(parsing: line)
            return (call["tool"].string ?? "?", call["arguments"]["text"].string ?? "?")
        }
    }

    @Test("an SDK server behind the gate executes no call hidden between two CRs", arguments: [true, false])
    func sdkServer(withManifest: Bool) async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("framing-sdk")
        let record = directory.path("calls.jsonl")
        let manifest = try writeFile(#"""
            {"version": 1, "policy": {"default": "deny"},
             "tools": {"echo": {}, "forbidden": {"allow": false, "reason": "the framing tests deny it"}}}
            """#, named: "manifest.json", in: directory)
        let gate = try GateProcess(server: [python, Repository.recordingSDKServer], options: withManifest ? ["--manifest", manifest] : [],
                                   environment: ["RECORD_CALLS": record], in: directory)
        let hidden = #"{"jsonrpc":"2.0","id":{n},"method":"tools/call","params":{"name":"forbidden","arguments":{"text":"{label}"}}}"#
        try await drive(gate, hiding: hidden, visible: RPC.toolCall(id: "100", name: "echo", arguments: #"{"text":"visible"}"#))
        gate.closeInput()
        try await gate.waitForExit(timeout: .seconds(30))
        let calls = try executed(record)
        #expect(calls.filter { $0.tool == "forbidden" }.isEmpty, "calls no decision saw were executed: \(calls)")
        #expect(calls.contains { $0.tool == "echo" && $0.text == "visible" }, "the visible call must run: \(calls)")
    }

    @Test("mcp-server-git behind its shipped manifest: a git_commit hidden between two CRs makes no commit")
    func gitServer() async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("framing-git")
        let repo = try await makeRepository(in: directory)
        // Staged, so that git_commit would commit it.
        try writeFile("new\n", named: "repo/new.txt", in: directory)
        try await git(["add", "new.txt"], in: repo)

        // The shipped manifest as it is: REPO names the repository.
        let manifest = ShippedManifests.directory + "/mcp-server-git.json"
        let gate = try GateProcess(server: [python, "-m", "mcp_server_git", "--repository", repo], options: ["--manifest", manifest],
                                   environment: ["REPO": repo], in: directory)
        let hidden = #"{"jsonrpc":"2.0","id":{n},"method":"tools/call","params":{"name":"git_commit","arguments":{"repo_path":"\#(try jsonEscaped(repo))","message":"smuggled in a {label}"}}}"#
        try await drive(gate, hiding: hidden,
                        visible: RPC.toolCall(id: "100", name: "git_status", arguments: #"{"repo_path":"\#(try jsonEscaped(repo))"}"#))
        gate.closeInput()
        try await gate.waitForExit(timeout: .seconds(30))
        let log = try await git(["log", "--format=%s"], in: repo)
        #expect(log == "initial commit", "a commit no decision saw was made: \(log)")
        #expect(try await git(["diff", "--cached", "--name-only"], in: repo) == "new.txt", "new.txt must still be staged")
    }

    @Test("several servers behind one gate: no server executes a call hidden between two CRs")
    func severalServers() async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("framing-host")
        func server(_ name: String) throws -> String {
            #"{"command": "\#(try jsonEscaped(python))", "args": ["\#(try jsonEscaped(Repository.recordingSDKServer))"], "env": {"RECORD_CALLS": "\#(try jsonEscaped(directory.path(name)))"}}"#
        }
        let manifest = try writeFile(#"""
            {"version": 1, "policy": {"default": "deny"},
             "servers": {"a": \#(try server("a.jsonl")), "b": \#(try server("b.jsonl"))},
             "tools": {"*__echo": {}, "*__forbidden": {"allow": false, "reason": "the framing tests deny it"}}}
            """#, named: "manifest.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", manifest], in: directory)
        // The children know their tools by their own names; roots/list_changed goes to each as it was sent.
        let hidden = #"{"jsonrpc":"2.0","id":{n},"method":"tools/call","params":{"name":"forbidden","arguments":{"text":"{label}"}}}"#
        try await drive(gate, hiding: hidden, notification: "notifications/roots/list_changed",
                        visible: RPC.toolCall(id: "100", name: "a__echo", arguments: #"{"text":"visible"}"#))
        _ = try await gate.exchange(RPC.toolCall(id: "101", name: "b__echo", arguments: #"{"text":"visible"}"#), id: "101")
        gate.closeInput()
        try await gate.waitForExit(timeout: .seconds(30))
        for name in ["a.jsonl", "b.jsonl"] {
            let calls = try executed(directory.path(name))
            #expect(calls.filter { $0.tool == "forbidden" }.isEmpty, "server \(name): calls no decision saw were executed: \(calls)")
            #expect(calls.contains { $0.tool == "echo" && $0.text == "visible" }, "server \(name): the visible call must run: \(calls)")
        }
    }
}
