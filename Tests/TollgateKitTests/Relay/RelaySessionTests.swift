import Testing
@testable import TollgateKit

/// The one reply line of `actions`, checked to be a single newline-terminated line, and parsed.
private func reply(_ actions: RelayActions, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    let line = try #require(actions.reply, "expected a reply", sourceLocation: sourceLocation)
    #expect(line.last == 0x0A, "a reply ends with a newline", sourceLocation: sourceLocation)
    #expect(line.filter { $0 == 0x0A }.count == 1, "a reply is one line", sourceLocation: sourceLocation)
    return try json(line)
}

/// The elements of a batch reply line.
private func replyArray(_ actions: RelayActions, sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSONValue] {
    let line = try #require(actions.reply, "expected a reply", sourceLocation: sourceLocation)
    #expect(line.last == 0x0A, sourceLocation: sourceLocation)
    return try #require(try json(line).arrayValue, "expected a batch", sourceLocation: sourceLocation)
}

/// The exact id bytes of the reply line, as text.
private func replyID(_ actions: RelayActions) -> String? {
    actions.reply.flatMap { idText(ofLine: Array($0.dropLast())) }
}

/// The JSON-RPC error code of a reply.
private func errorCode(_ value: JSONValue) -> String? {
    value["error"]?["code"]?.numberText
}

private func toolCall(id: String, name: String = "echo", arguments: String = #"{"text":"hi"}"#, meta: String? = nil) -> String {
    let metaMember = meta.map { #","_meta":\#($0)"# } ?? ""
    return #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":\#(arguments)\#(metaMember)}}"#
}

private let statelessMeta = #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#

@Suite("RelaySession: client to server")
struct RelaySessionClientTests {
    @Test("requests, notifications and client responses pass through as their original bytes")
    func passThrough() {
        var session = RelaySession()
        let initialize = #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
        #expect(session.client(initialize) == .passThrough)
        #expect(session.pending.count == 1)
        #expect(session.client(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","id":"s-1","method":"roots/list"}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","id":"s-2","method":"roots/list"}"#) == .passThrough)
        #expect(session.client(#"{"jsonrpc":"2.0","id":"s-1","result":{"content":"x"}}"#) == .passThrough)
        #expect(session.client(#"{"jsonrpc":"2.0","id":"s-2","error":{"code":-1,"message":"no"}}"#) == .passThrough)
        #expect(session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list","extra":{"a":1}}"#) == .passThrough)
        #expect(session.pending.count == 2, "only requests are pending")
    }

    @Test("blank lines are ignored")
    func blankLines() {
        var session = RelaySession()
        #expect(session.client("") == RelayActions())
        #expect(session.client(" \t\r") == RelayActions())
    }

    @Test("without a manifest, a checked tools/call goes out as its original bytes and is still tracked")
    func uninspectedToolCallForwarded() throws {
        var session = RelaySession()
        let line = toolCall(id: "7", arguments: #"{ "text" : "h\u0069" }"#, meta: #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#)
        #expect(session.client(line) == .passThrough)
        #expect(session.pending.count == 1)
        let replies = text(session.serverWentAway(because: "gone"))
        #expect(replies.contains("server_unavailable") && replies.contains(#""resultType":"complete""#),
                "its name and era are known for the answer if the server dies")
        #expect(session.client(toolCall(id: "8", arguments: "[1]")).reply.map(text)?.contains("-32602") == true,
                "non-object arguments are still refused")
    }

    @Test("a tools/call is forwarded as a checked call whose bytes carry the same params and the exact id")
    func toolCallForwarded() throws {
        var session = RelaySession(gate: DenyingGate(denying: "nothing"))
        let id = #""c\u00e9-1""#
        let line = toolCall(id: id, arguments: #"{"text":"h\u0069","n":1.50,"big":123456789012345678901234567890,"list":[true,null]}"#,
                            meta: #"{"progressToken":"p"}"#)
        let actions = session.client(line)
        guard case .call(let call)? = actions.forward else {
            Issue.record("expected .call, got \(String(describing: actions.forward))")
            return
        }
        #expect(actions.reply == nil)
        #expect(call.name == "echo")
        #expect(call.id.bytes == bytes(id))
        #expect(call.arguments["text"] == .string("hi"))
        let forwarded = try json(call.requestBytes)
        let original = try json(line)
        #expect(forwarded["params"] == original["params"])
        #expect(forwarded["method"] == .string("tools/call"))
        #expect(forwarded["jsonrpc"] == .string("2.0"))
        #expect(idText(ofLine: call.requestBytes) == id, "the id goes out byte for byte")
        #expect(text(call.requestBytes).contains(#""n":1.50,"big":123456789012345678901234567890"#), "numbers keep their text")
        #expect(session.pending.count == 1)
    }

    @Test("a tools/call spelled with escapes is still a tools/call", arguments: [#"tools\/call"#, #"tools\u002fcall"#])
    func escapedToolCall(method: String) {
        var session = RelaySession(gate: DenyingGate(denying: "rm"))
        let actions = session.client(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":{"name":"rm"}}"#)
        #expect(replyID(actions) == "1")
        #expect(actions.forward == nil, "the gate saw it and denied it")
        #expect((session.gate as? DenyingGate)?.seen == ["rm"])
        let notification = session.client(#"{"jsonrpc":"2.0","method":"\#(method)","params":{"name":"rm"}}"#)
        #expect(notification.forward == nil && notification.reply == nil)
    }

    @Test("a tools/call without an id is dropped with a log and never forwarded")
    func toolCallNotification() {
        var session = RelaySession(gate: DenyingGate(denying: "nothing"))
        let actions = session.client(#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{}}}"#)
        #expect(actions.forward == nil)
        #expect(actions.reply == nil)
        #expect(actions.log?.contains("notification") == true)
        #expect(session.pending.count == 0)
        #expect((session.gate as? DenyingGate)?.seen == [], "the gate is never asked")
    }

    @Test("a malformed call gets -32602 with the exact id", arguments: [
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call"}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{}}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"arguments":{}}}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"name":5}}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"name":"a","arguments":[1]}}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"name":"a","arguments":"s"}}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":{"name":"a","arguments":0}}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":["a",{}]}"#,
        #"{"jsonrpc":"2.0","id":ID,"method":"tools/call","params":[]}"#,
    ])
    func malformedCall(template: String) throws {
        for id in [#""x\u00e9\"""#, "123456789012345678901234567890", "-0", "1e2"] {
            var session = RelaySession(gate: DenyingGate(denying: "a"))
            let actions = session.client(template.replacing("ID", with: id))
            let value = try reply(actions)
            #expect(errorCode(value) == "-32602")
            #expect(replyID(actions) == id)
            #expect(actions.forward == nil)
            #expect(session.pending.count == 0)
            #expect((session.gate as? DenyingGate)?.seen == [])
        }
    }

    @Test("parse errors get -32700 with the id when it was read first", arguments: [
        (#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"x",}}"#, "42"),
        (#"{"id":"a\/b","jsonrpc":"2.0","method":"tools/call","params":{"name":"x","name":"y"}}"#, #""a\/b""#),
        (#"{"jsonrpc":"2.0","id":-0,"method":"ping","params":{"s":"\x"}}"#, "-0"),
        (#"{"jsonrpc":"2.0","id":7,"method":"ping"} trailing"#, "7"),
        (#"{"jsonrpc":"2.0","id":7,"method":"ping""#, "7"),
        (#"{"jsonrpc":"2.0","method":"x","#, "null"),
        ("hello", "null"),
        (#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#, "null"),
        (#"{"jsonrpc":"2.0","method":"ping","id":12"#, "null"),
        (#"[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method""#, "null"),
    ])
    func parseErrors(line: String, id: String) throws {
        var session = RelaySession()
        let actions = session.client(line)
        let value = try reply(actions)
        #expect(errorCode(value) == "-32700")
        #expect(value["error"]?["message"]?.stringValue?.hasPrefix("Parse error") == true)
        #expect(replyID(actions) == id)
        #expect(actions.forward == nil)
        #expect(actions.log != nil)
        #expect(session.pending.count == 0)
    }

    @Test("invalid UTF-8 after the id is a parse error that keeps the id")
    func invalidUTF8() throws {
        var session = RelaySession()
        let line = bytes(#"{"jsonrpc":"2.0","id":"u","method":"tools/call","params":{"name":""#) + [0xED, 0xA0, 0x80] + bytes(#""}}"#)
        let actions = session.client(line)
        #expect(errorCode(try reply(actions)) == "-32700")
        #expect(replyID(actions) == #""u""#)
    }

    @Test("invalid requests get -32600", arguments: [
        (#"{"id":5,"method":"ping"}"#, "5"),
        (#"{"jsonrpc":"1.0","id":"v","method":"ping"}"#, #""v""#),
        (#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, "null"),
        (#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, "null"),
        (#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":"x"}"#, "9"),
        (#"{"jsonrpc":"2.0","id":9,"method":7}"#, "9"),
        (#"{"jsonrpc":"2.0","id":9}"#, "9"),
        ("42", "null"),
        (#""just a string""#, "null"),
    ])
    func invalidRequests(line: String, id: String) throws {
        var session = RelaySession()
        let actions = session.client(line)
        let value = try reply(actions)
        #expect(errorCode(value) == "-32600")
        #expect(value["error"]?["message"]?.stringValue?.hasPrefix("Invalid Request") == true)
        #expect(replyID(actions) == id)
        #expect(actions.forward == nil)
        #expect(session.pending.count == 0)
    }
}

@Suite("RelaySession: gates")
struct RelaySessionGateTests {
    @Test("a denied call is answered with an isError result carrying the denial entry")
    func denial() throws {
        var session = RelaySession(gate: DenyingGate(denying: "rm"))
        let actions = session.client(toolCall(id: #""d-1""#, name: "rm", arguments: #"{"path":"/"}"#))
        #expect(actions.forward == nil)
        #expect(replyID(actions) == #""d-1""#)
        #expect(actions.log?.contains("rm") == true)
        let value = try reply(actions)
        #expect(value["error"] == nil)
        let result = try #require(value["result"])
        #expect(result["isError"] == .bool(true))
        let content = try #require(result["content"]?.arrayValue)
        #expect(content.count == 1)
        #expect(content.first?["type"] == .string("text"))
        #expect(content.first?["text"]?.stringValue?.contains("The manifest denies rm.") == true)
        let entry = try #require(result["_meta"]?["dev.tollgate/denial"])
        #expect(entry["code"] == .string("tool_denied"))
        #expect(entry["tool"] == .string("rm"))
        #expect(entry["rule"] == .string("tools.rm"))
        #expect(entry["reason"] == .string("The manifest denies rm."))
        #expect(result["resultType"] == nil)
        #expect(session.pending.count == 0)

        guard case .call(let allowed)? = session.client(toolCall(id: "2", name: "echo")).forward else {
            Issue.record("an allowed call was not forwarded")
            return
        }
        #expect(allowed.name == "echo")
        #expect((session.gate as? DenyingGate)?.seen == ["rm", "echo"])
    }

    @Test("a 2026-07-28 request's denial says resultType complete")
    func statelessDenial() throws {
        var session = RelaySession(gate: DenyingGate(denying: "rm"))
        let stateless = try reply(session.client(toolCall(id: "1", name: "rm", meta: statelessMeta)))
        #expect(stateless["result"]?["resultType"] == .string("complete"))
        #expect(stateless["result"]?["isError"] == .bool(true))
        let old = try reply(session.client(toolCall(id: "2", name: "rm", meta: #"{"io.modelcontextprotocol/protocolVersion":"2025-11-25"}"#)))
        #expect(old["result"]?["resultType"] == nil)
    }

    @Test("a failing gate answers with its JSON-RPC error")
    func failure() throws {
        var session = RelaySession(gate: FailingGate())
        let actions = session.client(toolCall(id: "123456789012345678901234567890"))
        #expect(errorCode(try reply(actions)) == "-32601")
        #expect(replyID(actions) == "123456789012345678901234567890")
        #expect(actions.forward == nil)
        #expect(session.pending.count == 0)
    }

    @Test("a gate that inspects tool lists can remove a tool; the reply keeps the client's id bytes")
    func toolListFilter() throws {
        var session = RelaySession(gate: HidingGate(hiddenTool: "secret"))
        #expect(session.client(#"{"jsonrpc":"2.0","id":"l\u0069st","method":"tools/list"}"#) == .passThrough)
        let response = #"{"jsonrpc":"2.0","id":"list","result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}},{"name":"secret"},{"name":"add"}],"nextCursor":"c2"}}"#
        let actions = session.server(response)
        guard case .bytes(let line)? = actions.forward else {
            Issue.record("expected rewritten bytes, got \(String(describing: actions.forward))")
            return
        }
        #expect(line.last == 0x0A)
        let value = try json(line)
        #expect(idText(ofLine: Array(line.dropLast())) == #""l\u0069st""#)
        #expect(value["result"]?["tools"]?.arrayValue?.map { $0["name"] } == [.string("echo"), .string("add")])
        #expect(value["result"]?["tools"]?[0]?["inputSchema"] == ["type": "object"])
        #expect(value["result"]?["nextCursor"] == .string("c2"))
        #expect(session.pending.count == 0)
        #expect((session.gate as? HidingGate)?.filtered == 1)
    }

    @Test("tool lists pass untouched when the gate does not inspect them, or when the gate changes nothing")
    func toolListUntouched() {
        var plain = RelaySession(gate: DenyingGate(denying: "secret"))
        _ = plain.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        #expect(plain.server(#"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"secret"}]}}"#) == .passThrough)

        var hiding = RelaySession(gate: HidingGate(hiddenTool: "secret"))
        _ = hiding.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        #expect(hiding.server(#"{"jsonrpc":"2.0","id":1,"result":{"other":[]}}"#) == .passThrough, "nil from the gate")
        _ = hiding.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
        #expect(hiding.server(#"{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"m"}}"#) == .passThrough)
        _ = hiding.client(#"{"jsonrpc":"2.0","id":3,"method":"prompts/list"}"#)
        #expect(hiding.server(#"{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"secret"}]}}"#) == .passThrough, "only tools/list")
        #expect(hiding.pending.count == 0)
    }

    @Test("a name listed again on a later page is withheld there, the client is told to list again, and calls are refused")
    func listedTwiceAcrossPages() throws {
        var session = RelaySession(gate: try policyGate(#"{"version": 1, "tools": {"echo": {}, "add": {}}}"#))
        #expect(session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"echo"},{"name":"add"}],"nextCursor":"p2"}}"#) == .passThrough)
        #expect(session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"p2"}}"#) == .passThrough)
        let second = session.server(#"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo","description":"another echo"}]}}"#)
        guard case .bytes(let bytes)? = second.forward else {
            Issue.record("the second page was not rewritten: \(second)")
            return
        }
        #expect(bytes.last == 0x0A)
        let lines = bytes.split(separator: 0x0A).map(Array.init)
        #expect(lines.count == 2)
        #expect(try json(lines[0])["result"]?["tools"] == .array([]))
        #expect(try json(lines[0])["id"] == 2)
        #expect(try json(lines[1])["method"] == "notifications/tools/list_changed")
        let denied = try reply(session.client(toolCall(id: "3")))
        #expect(denied["result"]?["_meta"]?[Denial.metaKey]?["code"] == "tool_ambiguous")
        #expect(session.pending.count == 0, "the call never went to the server")
        // Listed again from the start: echo is gone from the first page.
        _ = session.client(#"{"jsonrpc":"2.0","id":4,"method":"tools/list"}"#)
        let first = session.server(#"{"jsonrpc":"2.0","id":4,"result":{"tools":[{"name":"echo"},{"name":"add"}],"nextCursor":"p2"}}"#)
        guard case .bytes(let again)? = first.forward else {
            Issue.record("the first page was not rewritten")
            return
        }
        #expect(try json(again)["result"]?["tools"] == [["name": "add"]])
    }

    @Test("a gate that observes outcomes learns how each forwarded call ended")
    func outcomes() {
        var session = RelaySession(gate: RecordingGate())
        _ = session.client(toolCall(id: "1", name: "a"))
        _ = session.client(toolCall(id: "2", name: "b"))
        _ = session.client(toolCall(id: "3", name: "c"))
        _ = session.client(#"{"jsonrpc":"2.0","id":4,"method":"ping"}"#)
        let failed = #"{"content":[{"type":"text","text":"boom","isError":false}],"isError":true}"#
        #expect(session.server(#"{"jsonrpc":"2.0","id":1,"result":\#(failed)}"#) == .passThrough)
        let fine = #"{"content":[{"type":"text","text":"ok","isError":true}],"isError":false}"#
        #expect(session.server(#"{"jsonrpc":"2.0","id":2,"result":\#(fine)}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","id":3,"error":{"code":-32001,"message":"x"}}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","id":4,"result":{}}"#) == .passThrough)
        #expect((session.gate as? RecordingGate)?.completions == [
            .init(tool: "a", id: "1", outcome: .result(isError: true, bytes: failed.utf8.count)),
            .init(tool: "b", id: "2", outcome: .result(isError: false, bytes: fine.utf8.count)),
            .init(tool: "c", id: "3", outcome: .error(code: -32001)),
        ])
    }
}

@Suite("RelaySession: batches")
struct RelaySessionBatchTests {
    @Test("every element is inspected: only valid ones go on, the rest is answered in a batch")
    func mixedBatch() throws {
        var session = RelaySession()
        let valid = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        let notification = #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"rm","arguments":{}}}"#
        let invalid = #"{"id":2,"method":"ping"}"#
        let call = toolCall(id: "3", name: "echo")
        let line = "[\(valid), \(notification),\(invalid),\(call)]"
        let actions = session.client(line)

        guard case .bytes(let forwarded)? = actions.forward else {
            Issue.record("expected a rewritten batch, got \(String(describing: actions.forward))")
            return
        }
        #expect(forwarded.last == 0x0A)
        let elements = try #require(try json(forwarded).arrayValue)
        try #require(elements.count == 2)
        #expect(text(forwarded).hasPrefix("[" + valid + ","), "pass-through elements keep their bytes")
        #expect(elements[1]["method"] == .string("tools/call"))
        #expect(elements[1]["id"] == .number("3"))
        #expect(elements[1]["params"] == (try json(call))["params"])

        let replies = try replyArray(actions)
        #expect(replies.count == 1)
        #expect(replies.first?["id"] == .number("2"))
        #expect(replies.first.flatMap(errorCode) == "-32600")
        #expect(actions.log?.contains("notification") == true)
        #expect(session.pending.count == 2)
    }

    @Test("a tools/call notification in a batch is cut out even when nothing else changes")
    func notificationOnlyChange() throws {
        var session = RelaySession()
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        let notification = #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"rm"}}"#
        let actions = session.client("[\(ping),\(notification)]")
        #expect(actions.forward == .bytes(bytes("[\(ping)]\n")))
        #expect(actions.reply == nil)
        #expect(actions.log?.contains("notification") == true)

        let alone = session.client("[\(notification)]")
        #expect(alone.forward == nil, "nothing is left to forward")
        #expect(alone.reply == nil, "notifications are never answered")
    }

    @Test("a batch of elements that all pass through is forwarded as is")
    func unchangedBatch() {
        var session = RelaySession()
        let line = #"[ {"jsonrpc":"2.0","id":1,"method":"ping"} , {"jsonrpc":"2.0","method":"notifications/x"} ]"#
        #expect(session.client(line) == .passThrough)
        #expect(session.pending.count == 1)
    }

    @Test("an empty batch gets one -32600 error, not a batch")
    func emptyBatch() throws {
        var session = RelaySession()
        let actions = session.client("[]")
        let value = try reply(actions)
        #expect(value.objectValue != nil)
        #expect(errorCode(value) == "-32600")
        #expect(value["id"] == .null)
        #expect(actions.forward == nil)
    }

    @Test("a batch of only invalid elements is answered element by element and nothing goes on")
    func allInvalid() throws {
        var session = RelaySession()
        let actions = session.client(#"[1,"x",{"jsonrpc":"2.0","id":"k"}]"#)
        #expect(actions.forward == nil)
        let replies = try replyArray(actions)
        #expect(replies.map(errorCode) == ["-32600", "-32600", "-32600"])
        #expect(replies.map { $0["id"] } == [.null, .null, .string("k")])
    }

    @Test("inside a batch: duplicate ids, denials and malformed calls are answered per element")
    func batchDecisions() throws {
        var session = RelaySession(gate: DenyingGate(denying: "rm"))
        let line = "[" + [
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            toolCall(id: "2", name: "rm", meta: statelessMeta),
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"arguments":{}}}"#,
        ].joined(separator: ",") + "]"
        let actions = session.client(line)
        guard case .bytes(let forwarded)? = actions.forward else {
            Issue.record("the first ping should go on")
            return
        }
        #expect(text(forwarded) == #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"# + "\n")
        let replies = try replyArray(actions)
        try #require(replies.count == 3)
        #expect(replies[0]["id"] == .number("1"))
        #expect(errorCode(replies[0]) == "-32600")
        #expect(replies[1]["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == .string("tool_denied"))
        #expect(replies[1]["result"]?["resultType"] == .string("complete"))
        #expect(errorCode(replies[2]) == "-32602")
        #expect(session.pending.count == 1)
    }
}

@Suite("RelaySession: server to client")
struct RelaySessionServerTests {
    @Test("responses remove their pending entries")
    func responsesRemovePending() {
        var session = RelaySession()
        _ = session.client(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        _ = session.client(#"{"jsonrpc":"2.0","id":"a\/b","method":"ping"}"#)
        _ = session.client(#"{"jsonrpc":"2.0","id":"é","method":"ping"}"#)
        _ = session.client(toolCall(id: "4"))
        #expect(session.pending.count == 4)
        #expect(session.server(#"{"jsonrpc":"2.0","id":1,"result":{}}"#) == .passThrough)
        #expect(session.pending.count == 3)
        #expect(session.server(#"{"jsonrpc":"2.0","id":"a/b","result":{}}"#) == RelayActions(forward: .bytes(bytes(#"{"jsonrpc":"2.0","id":"a\/b","result":{}}"# + "\n"))),
                "re-encoded escapes still match; the client gets its own id bytes")
        #expect(session.server(#"{"jsonrpc":"2.0","id":"\u00e9","error":{"code":1,"message":"m"}}"#)
                == RelayActions(forward: .bytes(bytes(#"{"jsonrpc":"2.0","id":"é","error":{"code":1,"message":"m"}}"# + "\n"))))
        #expect(session.pending.count == 1)
        #expect(session.server(#"[{"jsonrpc":"2.0","id":4,"result":{}}]"#) == .passThrough, "responses in a batch count too")
        #expect(session.pending.count == 0)
    }

    @Test("a server request in a batch that shares a pending id does not answer the client's request")
    func serverBatchRequestsIgnored() {
        var session = RelaySession(gate: RecordingGate())
        _ = session.client(toolCall(id: "1"))
        let batch = #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"result":{}}]"#
        let actions = session.server(batch)
        #expect(actions.forward == .bytes(bytes(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"# + "\n")), "the answer to id 2, never sent, is dropped")
        #expect(actions.log?.contains("id 2") == true)
        #expect(session.pending.count == 1, "the server's own request 1 is not a response")
        #expect((session.gate as? RecordingGate)?.completions == [])
        #expect(session.server(#"[{"jsonrpc":"2.0","id":1,"result":{"isError":true}}]"#) == .passThrough)
        #expect(session.pending.count == 0)
        #expect((session.gate as? RecordingGate)?.completions.map(\.outcome) == [.result(isError: true, bytes: 16)])
    }

    @Test("a response to an unknown id is dropped with a log")
    func unknownID() {
        var session = RelaySession()
        let actions = session.server(#"{"jsonrpc":"2.0","id":99,"result":{}}"#)
        #expect(actions.forward == nil)
        #expect(actions.log != nil)
    }

    @Test("server requests and notifications pass; invalid and blank lines do not")
    func serverMessages() {
        var session = RelaySession()
        #expect(session.server(#"{"jsonrpc":"2.0","id":"s-1","method":"sampling/createMessage","params":{}}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}"#) == .passThrough)
        let invalid = session.server(#"{"jsonrpc":"2.0"}"#)
        #expect(invalid.forward == nil)
        #expect(invalid.log != nil)
        #expect(session.server("") == RelayActions())
        let malformed = session.server("not json")
        #expect(malformed.forward == nil)
        #expect(malformed.reply == nil, "nothing is written back to the server")
        #expect(malformed.log != nil)
        #expect(session.pending.count == 0)
    }

    @Test("a malformed response to a pending request answers that request at once")
    func malformedResponse() throws {
        var session = RelaySession(gate: RecordingGate())
        _ = session.client(toolCall(id: "5", name: "echo"))
        _ = session.client(#"{"jsonrpc":"2.0","id":6,"method":"ping"}"#)
        let call = session.server(#"{"jsonrpc":"2.0","id":5,"result":{"content":["#)
        guard case .bytes(let line)? = call.forward else {
            Issue.record("expected an answer for the call")
            return
        }
        let value = try json(line)
        #expect(value["id"] == .number("5"))
        #expect(value["result"]?["isError"] == .bool(true))
        #expect(value["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == .string("server_unavailable"))
        #expect(call.log != nil)
        #expect((session.gate as? RecordingGate)?.completions.map(\.outcome) == [.error(code: -32603)])

        let ping = session.server(#"{"jsonrpc":"2.0","id":6,"result":{"a":tru}}"#)
        guard case .bytes(let pingLine)? = ping.forward else {
            Issue.record("expected an answer for the ping")
            return
        }
        #expect(errorCode(try json(pingLine)) == "-32603")
        #expect(session.pending.count == 0)
    }
}

@Suite("RelaySession: the server going away")
struct RelaySessionServerGoneTests {
    @Test("every pending request is answered exactly once; later requests at once")
    func serverWentAway() throws {
        var session = RelaySession(gate: RecordingGate())
        _ = session.client(toolCall(id: "1", name: "echo"))
        _ = session.client(#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#)
        _ = session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#)
        _ = session.client(toolCall(id: "4", name: "slow", meta: statelessMeta))
        #expect(session.pending.count == 4)

        let reason = "the server exited with status 3 before answering"
        let lines = splitLines(session.serverWentAway(because: reason))
        #expect(lines.count == 4)
        var seen: [String: JSONValue] = [:]
        for line in lines {
            let id = try #require(idText(ofLine: line))
            #expect(seen[id] == nil, "id \(id) answered twice")
            seen[id] = try json(line)
        }
        #expect(Set(seen.keys) == ["1", #""p""#, "3", "4"])

        let call = try #require(seen["1"]?["result"])
        #expect(call["isError"] == .bool(true))
        #expect(call["content"]?.arrayValue?.count == 1)
        #expect(call["_meta"]?["dev.tollgate/denial"]?["code"] == .string("server_unavailable"))
        #expect(call["_meta"]?["dev.tollgate/denial"]?["tool"] == .string("echo"))
        #expect(call["_meta"]?["dev.tollgate/denial"]?["reason"] == .string(reason))
        #expect(call["resultType"] == nil)
        #expect(seen["4"]?["result"]?["resultType"] == .string("complete"))
        #expect(seen["4"]?["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == .string("server_unavailable"))
        for id in [#""p""#, "3"] {
            #expect(seen[id].flatMap(errorCode) == "-32603")
            #expect(seen[id]?["error"]?["message"] == .string(reason))
            #expect(seen[id]?["result"] == nil)
        }
        #expect(session.pending.count == 0)
        #expect(Set((session.gate as? RecordingGate)?.completions.map(\.id) ?? []) == ["1", "4"])
        #expect((session.gate as? RecordingGate)?.completions.allSatisfy { $0.outcome == .serverGone } == true)

        #expect(session.serverWentAway(because: "again").isEmpty, "nothing is answered twice")

        let later = session.client(#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#)
        #expect(later.forward == nil)
        #expect(try reply(later)["error"]?["message"] == .string(reason), "the first reason is kept")
        let laterCall = session.client(toolCall(id: "10", name: "echo"))
        #expect(laterCall.forward == nil)
        #expect(try reply(laterCall)["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == .string("server_unavailable"))
        #expect(session.client(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{}}"#).reply == nil)
        #expect(session.pending.count == 0)
    }

    @Test("with nothing pending there is nothing to answer")
    func nothingPending() {
        var session = RelaySession()
        #expect(session.serverWentAway(because: "gone").isEmpty)
        #expect(session.serverGoneReason == "gone")
    }
}

@Suite("RelaySession: robustness")
struct RelaySessionRobustnessTests {
    @Test("every prefix of a call is answered with a parse error (or ignored when empty), never forwarded", arguments: [
        toolCall(id: #""id-\u00e9""#, arguments: #"{"text":"h\u00e9llo 😀","n":[1,2.5e3,-0],"o":{"k":null}}"#),
        toolCall(id: "123456789012345678901234567890"),
        "[" + toolCall(id: "1") + "," + #"{"jsonrpc":"2.0","id":2,"method":"ping"}"# + "]",
    ])
    func everyPrefix(line: String) throws {
        let full = bytes(line)
        let realID: String? = idText(ofLine: full)
        for cut in 0..<full.count {
            var session = RelaySession()
            let actions = session.client(Array(full[..<cut]))
            #expect(actions.forward == nil, "prefix of \(cut) bytes was forwarded")
            #expect(session.pending.count == 0)
            if cut == 0 {
                #expect(actions == RelayActions())
                continue
            }
            let value = try reply(actions)
            #expect(errorCode(value) == "-32700", "prefix of \(cut) bytes")
            let id = replyID(actions)
            #expect(id == "null" || id == realID, "prefix of \(cut) bytes answered id \(id ?? "none")")
        }
    }

    @Test("the session's nesting limit applies to client lines")
    func depthLimit() throws {
        // Levels: the message, params, arguments, then what arguments hold.
        var session = RelaySession(maxDepth: 5)
        #expect(session.client(toolCall(id: "1", arguments: #"{"a":[{}]}"#)).forward != nil)
        let tooDeep = session.client(toolCall(id: "2", arguments: #"{"a":[{"b":[]}]}"#))
        #expect(tooDeep.forward == nil)
        #expect(errorCode(try reply(tooDeep)) == "-32700")
        #expect(replyID(tooDeep) == "2")
    }
}

@Suite("ServerLine and PendingTable")
struct ServerLineTests {
    private func outcome(_ line: String) -> CallOutcome? {
        guard case .success(.single(let envelope)) = envelope(line) else { return nil }
        return bytes(line).withUnsafeBytes { ServerLine.outcome(result: envelope.result, error: envelope.error, in: $0) }
    }

    @Test("outcomes read isError at the top of the result only, and error codes")
    func outcomes() {
        for (result, isError) in [(#"{"isError":true}"#, true), (#"{"isError":false}"#, false),
                                  (#"{"content":[{"isError":true}]}"#, false), ("{}", false),
                                  (#"{"meta":{"isError":true},"isError":true}"#, true)] {
            #expect(outcome(#"{"jsonrpc":"2.0","id":1,"result":\#(result)}"#) == .result(isError: isError, bytes: result.utf8.count))
        }
        #expect(outcome(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"m"}}"#) == .error(code: -32602))
        #expect(outcome(#"{"jsonrpc":"2.0","id":1,"error":{"message":"no code"}}"#) == .error(code: 0))
    }

    @Test("response ids are read as the pending table keys them")
    func responseIDs() {
        for (literal, expected) in [("7", RequestID(bytes: bytes("7"), isString: false, hasEscapes: false)),
                                    (#""a\/b""#, RequestID(bytes: bytes(#""a/b""#), isString: true, hasEscapes: false))] {
            let line = bytes(literal)
            #expect(line.withUnsafeBytes { RequestID.response($0, 0..<line.count) } == expected)
        }
        for literal in ["null", "true", "{}", "[1]"] {
            let line = bytes(literal)
            #expect(line.withUnsafeBytes { RequestID.response($0, 0..<line.count) } == nil)
        }
    }

    @Test("the pending table inserts, finds, removes and drains")
    func pendingTable() {
        var table = PendingTable()
        let one = RequestID(bytes: bytes("1"), isString: false, hasEscapes: false)
        let two = RequestID(bytes: bytes(#""2""#), isString: true, hasEscapes: false)
        table.insert(PendingRequest(clientID: one, purpose: .other("ping")))
        table.insert(PendingRequest(clientID: two, purpose: .toolList(cursor: nil)))
        #expect(table.count == 2)
        #expect(table.contains(one))
        #expect(table.remove(one)?.method == "ping")
        #expect(table.remove(one) == nil)
        #expect(table.removeAll().map(\.method) == ["tools/list"])
        #expect(table.count == 0)
    }
}
