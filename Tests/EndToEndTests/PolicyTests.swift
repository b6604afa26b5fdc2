import Foundation
import Testing

/// A manifest in front of `fixture_server.py`: denied calls never reach the server and come back
/// as tool results with the denial contract; allowed calls pass; tools/list loses denied tools;
/// monitor mode only reports; the tool's own inputSchema is enforced once listed; and input
/// crafted to make the gate and the server disagree is refused or decided on what the server gets.
@Suite("Policy", .timeLimit(.minutes(2)))
struct PolicyTests {
    /// Default deny; four tools allowed (one with an argument schema), two denied by rules.
    static let manifest = """
        // Policy end-to-end test manifest (comments and trailing commas are allowed).
        {
          "version": 1,
          "policy": { "default": "deny", "mode": "enforce", "validateInput": true },
          "tools": {
            "echo": { "allow": true, "reason": "harmless" },
            "add": { "allow": true },
            "record": { "allow": true },
            "sleep": {
              "reason": "short sleeps only",
              "arguments": {
                "type": "object",
                "properties": { "ms": { "type": "integer", "minimum": 0, "maximum": 100 } },
                "required": ["ms"],
              },
            },
            "delete_file": { "allow": false, "reason": "deleting files is not allowed here" },
            "crash": { "allow": false, "reason": "no crashing" },
          },
        }
        """

    /// The fixture's tools the manifest leaves visible, in the fixture's order.
    static let visibleTools = ["echo", "add", "sleep", "record"]
    /// Every tool the fixture lists, in its order.
    static let fixtureTools = ["echo", "add", "sleep", "crash", "big", "record", "ask_sampling", "ask_elicitation",
                               "ping_client", "delete_file", "notify_progress"]

    private func session(_ label: String, manifest: String = PolicyTests.manifest, environment: [String: String?] = [:]) throws -> PolicySession {
        try PolicySession(label, manifest: manifest, environment: environment)
    }

    /// Whether some line the server received mentions `text`.
    private func serverSaw(_ session: PolicySession, _ text: String) -> Bool {
        session.serverLog.contains { $0.contains(bytes: Array(text.utf8)) }
    }

    // MARK: - Decisions

    @Test("a denied tool never reaches the server; the client gets a tool result with the denial contract")
    func deniedToolNeverReachesServer() async throws {
        let session = try session("deny")
        let byRule = try await session.call(RPC.toolCall(id: "1", name: "delete_file", arguments: #"{"path":"/etc/passwd"}"#))
        let entry = expectDenial(byRule, id: 1, code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "delete_file")
        #expect(entry["reason"].string == "deleting files is not allowed here", "the rule's reason is the denial's: \(entry)")
        #expect(resultText(byRule)?.contains("deleting files is not allowed here") == true, "the model reads the reason: \(byRule)")
        #expect(byRule["result"]["resultType"].exists == false, "a 2025 request gets no resultType: \(byRule)")

        // No rule names ping_client: policy.default decides.
        let byDefault = try await session.call(RPC.toolCall(id: "2", name: "ping_client"))
        expectDenial(byDefault, id: 2, code: "tool_denied", tool: "ping_client", rule: "policy.default", "ping_client")

        // The session goes on: an allowed call right after is answered by the server.
        let allowed = try await session.call(RPC.toolCall(id: "3", name: "echo", arguments: #"{"text":"still here"}"#))
        #expect(resultText(allowed) == "still here" && allowed["result"]["isError"].exists == false, "\(allowed)")
        try await session.sync()

        let log = session.serverLogText
        #expect(!serverSaw(session, "delete_file") && !serverSaw(session, "ping_client"), "the server saw a denied call: \(log)")
        #expect(log.count == 2 && log[0].contains(#""name":"echo""#), "the server must have received the echo call and the ping only: \(log)")
        #expect(session.gate.stderrText.contains("denied delete_file (tool_denied)"), "stderr: \(session.gate.stderrText)")
        #expect(try await session.finish() == 0)
    }

    @Test("arguments_rejected carries pointer and keyword, and the server never sees the call")
    func argumentsRejected() async throws {
        let session = try session("args")
        let tooLong = try await session.call(RPC.toolCall(id: "1", name: "sleep", arguments: #"{"ms":5000}"#))
        let entry = expectDenial(tooLong, id: 1, code: "arguments_rejected", tool: "sleep", rule: "tools.sleep",
                                 pointer: "/ms", keyword: "maximum", "sleep 5000")
        #expect(entry["reason"].string?.contains("short sleeps only") == true, "the rule's reason is part of the denial: \(entry)")

        let missing = try await session.call(RPC.toolCall(id: "2", name: "sleep", arguments: #"{}"#))
        expectDenial(missing, id: 2, code: "arguments_rejected", tool: "sleep", rule: "tools.sleep",
                     pointer: "", keyword: "required", "sleep without ms")

        let wrongType = try await session.call(RPC.toolCall(id: "3", name: "sleep", arguments: #"{"ms":"10"}"#))
        expectDenial(wrongType, id: 3, code: "arguments_rejected", tool: "sleep", rule: "tools.sleep",
                     pointer: "/ms", keyword: "type", "sleep with a string")

        // Within the schema: allowed and answered by the server.
        let ok = try await session.call(RPC.toolCall(id: "4", name: "sleep", arguments: #"{"ms":1}"#))
        #expect(ok["id"].int == 4 && ok["result"]["isError"].bool != true && ok["result"]["_meta"].exists == false, "\(ok)")
        try await session.sync()

        let calls = session.serverLogText.filter { $0.contains("tools/call") }
        #expect(calls.count == 1 && calls.first?.contains(#""arguments":{"ms":1}"#) == true,
                "only the allowed sleep may reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }

    @Test("allowed calls pass with their results untouched")
    func allowedCallsPass() async throws {
        let session = try session("allow")
        let echo = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"héllo ✓"}"#))
        #expect(echo["id"].int == 1 && resultText(echo) == "héllo ✓" && echo["result"]["isError"].exists == false, "\(echo)")
        let add = try await session.call(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":2,"b":40}"#))
        #expect(add["id"].int == 2 && resultText(add) == "42", "\(add)")
        let record = try await session.call(RPC.toolCall(id: "3", name: "record"))
        let recorded = try JSON(parsing: resultText(record) ?? "")
        #expect(recorded.array?.count == 3, "the server received the three calls: \(record)")
        #expect(try await session.finish() == 0)
    }

    // MARK: - tools/list

    @Test("tools/list results lose the denied tools, on every page", arguments: [nil, 2] as [Int?])
    func toolsListFiltered(pageSize: Int?) async throws {
        let session = try session("list", environment: ["FIXTURE_PAGE_SIZE": pageSize.map(String.init)])
        var names: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let params = try cursor.map { #"{"cursor":"\#(try jsonEscaped($0))"}"# }
            let response = try await session.call(RPC.request(id: "\(100 + pages)", method: "tools/list", params: params))
            #expect(response["id"].int == 100 + pages, "\(response)")
            let tools = try #require(response["result"]["tools"].array, "page \(pages): \(response)")
            let pageNames = tools.compactMap { $0["name"].string }
            #expect(pageNames.count == tools.count, "every listed tool keeps its name: \(response)")
            if pageNames.contains("echo") {
                // A kept tool is relayed whole (the gate removes tools, it does not rewrite them).
                let echo = tools.first { $0["name"].string == "echo" }
                #expect(echo?["inputSchema"]["required"].strings == ["text"] && echo?["annotations"]["readOnlyHint"].bool == true,
                        "echo as listed: \(echo ?? JSON(nil))")
            }
            if pageSize != nil && pages == 1 {
                // The second page is [sleep, crash]: crash is denied by a rule.
                #expect(pageNames == ["sleep"], "the second page must lose crash: \(response)")
            }
            names += pageNames
            cursor = response["result"]["nextCursor"].string
            pages += 1
        } while cursor != nil && pages < 20
        #expect(names == Self.visibleTools, "tools listed through the gate")
        if let pageSize {
            let expected = (Self.fixtureTools.count + pageSize - 1) / pageSize
            #expect(pages == expected, "the gate must keep every page's nextCursor, even of pages it emptied: \(pages) pages")
        } else {
            #expect(pages == 1)
        }
        #expect(try await session.finish() == 0)
    }

    // MARK: - Monitor mode

    @Test("monitor mode forwards a would-be denied call and reports it on stderr")
    func monitorMode() async throws {
        let manifest = Self.manifest.replacingOccurrences(of: #""mode": "enforce""#, with: #""mode": "monitor""#)
        try #require(manifest.contains(#""mode": "monitor""#))
        let session = try session("monitor", manifest: manifest)

        let list = try await session.call(RPC.request(id: "1", method: "tools/list"))
        let listed = list["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(listed == Self.fixtureTools, "in monitor mode nothing is hidden either: \(listed)")

        let deleted = try await session.call(RPC.toolCall(id: "2", name: "delete_file", arguments: #"{"path":"/tmp/x"}"#))
        #expect(deleted["id"].int == 2 && resultText(deleted) == "deleted", "the server must have run delete_file: \(deleted)")
        #expect(deleted["result"]["_meta"].exists == false && deleted["result"]["isError"].exists == false, "\(deleted)")

        let sleep = try await session.call(RPC.toolCall(id: "3", name: "sleep", arguments: #"{"ms":150}"#))
        #expect(sleep["id"].int == 3 && sleep["result"]["isError"].bool != true, "\(sleep)")
        try await session.sync()

        #expect(serverSaw(session, #""name":"delete_file""#), "the server log must have the call: \(session.serverLogText)")
        #expect(serverSaw(session, #""arguments":{"ms":150}"#), "the server log must have the call: \(session.serverLogText)")
        let stderr = session.gate.stderrText
        #expect(stderr.contains("monitor: would deny delete_file (tool_denied, tools.delete_file)"), "stderr: \(stderr)")
        #expect(stderr.contains("monitor: would deny sleep (arguments_rejected, tools.sleep)"), "stderr: \(stderr)")
        #expect(try await session.finish() == 0)
    }

    // MARK: - validateInput

    @Test("validateInput: once listed, a call that fails the tool's inputSchema is denied (rule inputSchema)")
    func validateInputAfterList() async throws {
        let session = try session("validate")
        // Before tools/list the gate knows no inputSchema: the call goes to the server, which refuses it itself.
        let early = try await session.call(RPC.toolCall(id: "1", name: "add", arguments: #"{"a":"early","b":1}"#))
        #expect(early["id"].int == 1 && early["result"]["isError"].bool == true && early["result"]["_meta"].exists == false,
                "before listing, the server answers: \(early)")

        let list = try await session.call(RPC.request(id: "2", method: "tools/list"))
        #expect(list["result"]["tools"].array?.count == Self.visibleTools.count, "\(list)")

        let bad = try await session.call(RPC.toolCall(id: "3", name: "add", arguments: #"{"a":"x","b":1}"#))
        expectDenial(bad, id: 3, code: "arguments_rejected", tool: "add", rule: "inputSchema", pointer: "/a", keyword: "type", "add a:\"x\"")
        let missing = try await session.call(RPC.toolCall(id: "4", name: "echo", arguments: #"{}"#))
        expectDenial(missing, id: 4, code: "arguments_rejected", tool: "echo", rule: "inputSchema", pointer: "", keyword: "required", "echo {}")

        let good = try await session.call(RPC.toolCall(id: "5", name: "add", arguments: #"{"a":1.5,"b":2}"#))
        #expect(good["id"].int == 5 && resultText(good) == "3.5", "\(good)")
        try await session.sync()

        #expect(serverSaw(session, #""a":"early""#), "\(session.serverLogText)")
        #expect(!serverSaw(session, #""a":"x""#) && !serverSaw(session, #""id":4,"#),
                "calls failing the inputSchema must not reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }

    // MARK: - Adversarial input

    @Test("duplicate \"name\" keys (also spelt with escapes) are rejected with -32700 and not forwarded")
    func duplicateNameRejected() async throws {
        let session = try session("dup-name")
        let plain = try await session.call(
            #"{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"echo","name":"delete_file","arguments":{"text":"x","path":"/x"}}}"#)
        expectError(plain, id: 20, codes: [-32700], "duplicate name")
        // Equal once decoded: the key comparison must be on the decoded key, not the raw bytes.
        let escaped = try await session.call(
            #"{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"echo","n\u0061me":"delete_file","arguments":{"text":"x","path":"/x"}}}"#)
        expectError(escaped, id: 21, codes: [-32700], "duplicate name, the second spelt n\\u0061me")
        try await session.sync()
        #expect(session.serverLog.count == 1, "only the ping may reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }

    @Test("an escaped tool name (delete\\u005ffile) is decoded and denied")
    func escapedNameDenied() async throws {
        let session = try session("escaped-name")
        let response = try await session.call(
            #"{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"delete\u005ffile","arguments":{"path":"/x"}}}"#)
        expectDenial(response, id: 22, code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "delete\\u005ffile")
        // An escaped argument key is decoded too before the schema sees it.
        let escapedKey = try await session.call(
            #"{"jsonrpc":"2.0","id":23,"method":"tools/call","params":{"name":"sleep","arguments":{"\u006ds":5000}}}"#)
        expectDenial(escapedKey, id: 23, code: "arguments_rejected", tool: "sleep", rule: "tools.sleep",
                     pointer: "/ms", keyword: "maximum", "sleep with \\u006ds")
        try await session.sync()
        #expect(session.serverLog.count == 1, "only the ping may reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }

    @Test("a batch with a denied and an allowed call forwards only the allowed one")
    func batchForwardsOnlyAllowed() async throws {
        let session = try session("batch")
        let denied = RPC.toolCall(id: "30", name: "delete_file", arguments: #"{"path":"/x"}"#)
        let allowed = RPC.toolCall(id: "31", name: "echo", arguments: #"{"text":"batched"}"#)
        try await session.gate.send("[\(denied),\(allowed)]")
        let lines = try await session.sync()

        // The gate answers the denied element itself, as a batch response.
        let replies = try lines.map { try JSON(parsing: $0) }
        let denialReply = replies.compactMap(\.array).first { $0.contains { $0["id"].int == 30 } }
        let denials = try #require(denialReply, "no batch reply carrying the denial of id 30; lines: \(lines.map(\.text))")
        #expect(denials.count == 1, "only the denied element is answered by the gate: \(denials)")
        if let reply = denials.first {
            expectDenial(reply, id: 30, code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "denied batch element")
        }

        let log = session.serverLog
        try #require(log.count == 2, "server log: \(session.serverLogText)")
        #expect(!log[0].contains(bytes: Array("delete_file".utf8)), "the denied call reached the server: \(log[0].text)")
        let forwarded = try JSON(parsing: log[0])
        let element = forwarded.array.map { $0.count == 1 ? $0[0] : JSON(nil) } ?? forwarded
        #expect(element["id"].int == 31 && element["params"]["name"].string == "echo" && element["params"]["arguments"]["text"].string == "batched",
                "the server must receive exactly the allowed call (alone, in a batch or not): \(log[0].text)")
        // (fixture_server.py does not answer batches, so the echo is not answered; tollgate answers
        // it with server_unavailable when the session ends.)
        #expect(try await session.finish() == 0)
    }

    @Test("a denied call in notification form (no id) is dropped, unanswered and not forwarded")
    func deniedNotificationDropped() async throws {
        let session = try session("notification")
        try await session.gate.send(RPC.notification(method: "tools/call", params: #"{"name":"delete_file","arguments":{"path":"/x"}}"#))
        try await session.gate.send(RPC.notification(method: #"tools\/call"#, params: #"{"name":"delete_file","arguments":{"path":"/y"}}"#))
        let before = try await session.sync()
        #expect(before.isEmpty, "a notification gets no answer: \(before.map(\.text))")
        #expect(session.serverLog.count == 1, "only the ping may reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }

    @Test("a method spelt tools\\/call is still decided by the policy")
    func escapedMethodDecided() async throws {
        let session = try session("escaped-method")
        let denied = try await session.call(RPC.request(id: "40", method: #"tools\/call"#, params: #"{"name":"delete_file","arguments":{"path":"/x"}}"#))
        expectDenial(denied, id: 40, code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "tools\\/call delete_file")
        let unicode = try await session.call(RPC.request(id: "41", method: #"tools\u002fcall"#, params: #"{"name":"sleep","arguments":{"ms":5000}}"#))
        expectDenial(unicode, id: 41, code: "arguments_rejected", tool: "sleep", rule: "tools.sleep", pointer: "/ms", keyword: "maximum",
                     "tools\\u002fcall sleep 5000")
        try await session.sync()
        #expect(session.serverLog.count == 1, "only the ping may reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }

    @Test("the server receives the params of an allowed call as decided: decoded and compact")
    func allowedCallReserialized() async throws {
        let session = try session("reserialize")
        let line = #"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":  { "name" : "ech\u006f" ,  "arguments" : { "text" : "a\u0062c" } }  }"#
        let response = try await session.call(line)
        #expect(response["id"].int == 10 && resultText(response) == "abc", "\(response)")
        let log = session.serverLog
        try #require(log.count == 1, "server log: \(session.serverLogText)")
        #expect(log[0].contains(bytes: Array(#""params":{"name":"echo","arguments":{"text":"abc"}}"#.utf8)),
                "the server must receive the re-serialized params: \(log[0].text)")
        #expect(!log[0].contains(bytes: Array(#"\u"#.utf8)) && !log[0].contains(bytes: [0x20]),
                "no escapes or whitespace survive the re-serialization: \(log[0].text)")
        #expect(try await session.finish() == 0)
    }

    @Test("a denied 2026-07-28 request gets resultType \"complete\"")
    func statelessDenialIsComplete() async throws {
        let session = try session("stateless")
        let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#
        let denied = try await session.call(RPC.request(
            id: "50", method: "tools/call", params: #"{"name":"delete_file","arguments":{"path":"/x"},\#(meta)}"#))
        expectDenial(denied, id: 50, code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "2026 delete_file")
        #expect(denied["result"]["resultType"].string == "complete", "\(denied)")

        let rejected = try await session.call(RPC.request(
            id: "51", method: "tools/call", params: #"{"name":"sleep","arguments":{"ms":5000},\#(meta)}"#))
        expectDenial(rejected, id: 51, code: "arguments_rejected", tool: "sleep", rule: "tools.sleep", pointer: "/ms", keyword: "maximum",
                     "2026 sleep 5000")
        #expect(rejected["result"]["resultType"].string == "complete", "\(rejected)")

        // An allowed 2026 call is the server's to answer (the fixture marks it complete as well).
        let allowed = try await session.call(RPC.request(
            id: "52", method: "tools/call", params: #"{"name":"echo","arguments":{"text":"t"},\#(meta)}"#))
        #expect(resultText(allowed) == "t" && allowed["result"]["resultType"].string == "complete", "\(allowed)")
        try await session.sync()
        #expect(session.serverLog.count == 2, "only the echo and the ping may reach the server: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
    }
}
