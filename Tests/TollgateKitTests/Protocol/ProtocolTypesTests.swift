import Testing
@testable import TollgateKit

@Suite("RequestID")
struct RequestIDTests {
    private func stringID(_ literal: String) -> RequestID {
        RequestID(bytes: bytes(literal), isString: true, hasEscapes: literal.contains("\\"))
    }

    private func numberID(_ literal: String) -> RequestID {
        RequestID(bytes: bytes(literal), isString: false, hasEscapes: false)
    }

    @Test("string ids that decode alike are the same id; their bytes stay as written")
    func escapeEquivalence() {
        let escaped = stringID(#""a\/b\u00e9""#)
        let plain = stringID("\"a/bé\"")
        #expect(escaped == plain)
        #expect(escaped.hashValue == plain.hashValue)
        #expect(escaped.bytes == bytes(#""a\/b\u00e9""#))
        #expect(escaped.description == #""a\/b\u00e9""#)
        #expect(stringID(#""\u00E9""#) == stringID(#""\u00e9""#))
        var set: Set<RequestID> = [escaped]
        #expect(set.contains(plain))
        set.insert(plain)
        #expect(set.count == 1)
    }

    @Test("different ids differ")
    func distinct() {
        #expect(stringID(#""1""#) != numberID("1"))
        #expect(numberID("1") != numberID("1.5") && numberID("1") != numberID("10"))
        #expect(stringID(#""a""#) != stringID(#""A""#))
        #expect(numberID("123456789012345678901234567890") != numberID("123456789012345678901234567891"))
        #expect(numberID("123456789012345678901234567890") == numberID("123456789012345678901234567890"))
    }

    @Test("a number id's double view is the double a JavaScript reader sees, with or without the float parser")
    func doubleView() {
        for literal in ["0", "-0", "7", "-7", "999999999999999", "-123456789012345", "9007199254740993", "9007199254740992", "1e3", "1000", "7.0", "1e400"] {
            let parsed = Double(literal)!
            #expect(numberID(literal).doubleView == (parsed == 0 ? 0 : parsed.bitPattern), "\(literal)")
        }
        #expect(numberID("9007199254740993").doubleView == numberID("9007199254740992").doubleView, "beyond 2^53 two ids are one double")
        #expect(numberID("1e3").doubleView == numberID("1000").doubleView && stringID(#""7""#).doubleView == nil)
    }

    @Test("reads the id of an envelope; nil for null or missing ids")
    func fromEnvelope() throws {
        let line = #"{"jsonrpc":"2.0","id":"x\u0079","method":"m"}"#
        let envelope = try singleEnvelope(line)
        let id = bytes(line).withUnsafeBytes { RequestID(envelope: envelope, in: $0) }
        #expect(id?.bytes == bytes(#""x\u0079""#))
        #expect(id == stringID(#""xy""#))
        let null = #"{"jsonrpc":"2.0","id":null,"result":1}"#
        let nullEnvelope = try singleEnvelope(null)
        #expect(bytes(null).withUnsafeBytes { RequestID(envelope: nullEnvelope, in: $0) } == nil)
    }
}

@Suite("Reply")
struct ReplyTests {
    @Test("an error reply echoes the raw id, or writes null")
    func errorReply() throws {
        let reply = Reply.error(id: bytes(#""a\/b""#), JSONRPCError(.invalidRequest, "bad"))
        #expect(reply.last == 0x0A)
        #expect(reply.filter { $0 == 0x0A }.count == 1)
        #expect(text(reply) == #"{"jsonrpc":"2.0","id":"a\/b","error":{"code":-32600,"message":"bad"}}"# + "\n")
        let null = Reply.error(id: nil, JSONRPCError(.parseError, "Parse error", data: ["at": 3]))
        let value = try json(null)
        #expect(value["id"] == .null)
        #expect(value["error"]?["code"] == .number("-32700"))
        #expect(value["error"]?["data"]?["at"] == .number("3"))
    }

    @Test("result, request and notification lines")
    func otherReplies() throws {
        let result = Reply.result(id: bytes("123456789012345678901234567890"), ["ok": true])
        #expect(text(result) == #"{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":{"ok":true}}"# + "\n")
        let request = Reply.request(id: bytes(#""t-1""#), method: "ping", params: nil)
        #expect(text(request) == #"{"jsonrpc":"2.0","id":"t-1","method":"ping"}"# + "\n")
        let notification = Reply.notification(method: "notifications/message", params: ["level": "info"])
        #expect(text(notification) == #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}}"# + "\n")
        for line in [result, request, notification] {
            guard case .success(.single(let envelope)) = MessageEnvelope.scan(Array(line.dropLast())) else {
                Issue.record("Tollgate wrote a line it cannot read back")
                continue
            }
            if case .invalid(let why) = envelope.kind { Issue.record("invalid: \(why)") }
        }
    }

    @Test("JSON-RPC error codes")
    func codes() {
        #expect(JSONRPCError(.parseError, "").code == -32700)
        #expect(JSONRPCError(.invalidRequest, "").code == -32600)
        #expect(JSONRPCError(.methodNotFound, "").code == -32601)
        #expect(JSONRPCError(.invalidParams, "").code == -32602)
        #expect(JSONRPCError(.internalError, "").code == -32603)
        #expect(JSONRPCError(.internalError, "m").json.jsonText == #"{"code":-32603,"message":"m"}"#)
    }
}

@Suite("ProtocolEra")
struct ProtocolEraTests {
    @Test("versions order as dates", arguments: [
        ("2024-11-05", ProtocolEra.session), ("2025-03-26", .session), ("2025-06-18", .session), ("2025-11-25", .session),
        ("2026-07-27", .session), ("2026-07-28", .stateless), ("2026-12-01", .stateless), ("2027-01-01", .stateless),
    ])
    func versions(version: String, era: ProtocolEra) {
        #expect(ProtocolEra(version: version) == era)
    }

    @Test("a request's era comes from params._meta")
    func fromParams() throws {
        let stateless = try #require(try json(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#).objectValue)
        #expect(ProtocolEra(params: stateless) == .stateless)
        let old = try #require(try json(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-11-25"}}"#).objectValue)
        #expect(ProtocolEra(params: old) == .session)
        let notString = try #require(try json(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":20260728}}"#).objectValue)
        #expect(ProtocolEra(params: notString) == .session)
        let topLevel = try #require(try json(#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#).objectValue)
        #expect(ProtocolEra(params: topLevel) == .session, "only _meta counts")
        #expect(ProtocolEra(params: nil) == .session)
    }
}

@Suite("Denial")
struct DenialTests {
    @Test("the result shape is the contract")
    func resultShape() throws {
        let denial = Denial(.toolDenied, tool: "rm", rule: "tools.rm", reason: "Deleting is off.", advice: "Ask a human.",
                            details: JSONObject(["pointer": "/path"]))
        let result = denial.result(era: .session)
        #expect(result["isError"] == .bool(true))
        let content = try #require(result["content"]?.arrayValue)
        #expect(content.count == 1)
        #expect(content.first?["type"] == .string("text"))
        #expect(content.first?["text"] == .string(#"Tollgate refused the call to tool "rm" (tool_denied): Deleting is off. Ask a human."#))
        let entry = try #require(result["_meta"]?[Denial.metaKey])
        #expect(entry.objectValue?.keys == ["code", "tool", "rule", "reason", "pointer"])
        #expect(entry["code"] == .string("tool_denied"))
        #expect(entry["tool"] == .string("rm"))
        #expect(entry["rule"] == .string("tools.rm"))
        #expect(entry["reason"] == .string("Deleting is off."))
        #expect(entry["pointer"] == .string("/path"))
        #expect(result["resultType"] == nil, "2025 results carry no resultType")
    }

    @Test("a stateless result says resultType complete; a missing rule is null")
    func statelessAndNullRule() {
        let result = Denial(.timeout, tool: "slow", reason: "Too slow.").result(era: .stateless)
        #expect(result["resultType"] == .string("complete"))
        #expect(result["_meta"]?[Denial.metaKey]?["rule"] == .null)
        #expect(Denial(.timeout, tool: "slow", reason: "r").text == #"Tollgate refused the call to tool "slow" (timeout): r."#, "a sentence ends with a period")
    }

    @Test("code raw values are the documented ones")
    func codes() {
        #expect(Denial.Code.allCases.map(\.rawValue) == [
            "tool_denied", "unknown_tool", "arguments_rejected", "budget_exhausted", "rate_limited", "approval_required",
            "approval_denied", "tool_changed", "server_unavailable", "timeout", "audit_unavailable",
            "budget_unavailable", "result_too_large", "tool_ambiguous",
        ])
    }
}

@Suite("ToolCall")
struct ToolCallTests {
    private let id = RequestID(bytes: bytes(#""c\u002d1""#), isString: true, hasEscapes: true)

    @Test("reads name, arguments, params and era")
    func reads() throws {
        let params = try json(#"{"name":"echo","arguments":{"text":"hi","n":1.50},"_meta":{"progressToken":7}}"#)
        let call = try ToolCall(id: id, params: params)
        #expect(call.name == "echo")
        #expect(call.arguments.keys == ["text", "n"])
        #expect(call.arguments["n"] == .number("1.50"))
        #expect(call.params["_meta"]?["progressToken"] == .number("7"))
        #expect(call.era == .session)
    }

    @Test("missing or null arguments are an empty object")
    func emptyArguments() throws {
        #expect(try ToolCall(id: id, params: json(#"{"name":"a"}"#)).arguments == JSONObject())
        #expect(try ToolCall(id: id, params: json(#"{"name":"a","arguments":null}"#)).arguments == JSONObject())
    }

    @Test("unusable params are invalid params (-32602)", arguments: [
        nil, "[]", #"["echo"]"#, "{}", #"{"name":5}"#, #"{"name":null}"#, #"{"name":"a","arguments":[]}"#,
        #"{"name":"a","arguments":"x"}"#, #"{"name":"a","arguments":1}"#, #"{"name":"a","arguments":true}"#,
    ] as [String?])
    func invalidParams(params: String?) throws {
        let value = try params.map { try json($0) }
        #expect(throws: JSONRPCError.self) { try ToolCall(id: id, params: value) }
        do throws(JSONRPCError) {
            _ = try ToolCall(id: id, params: value)
        } catch {
            #expect(error.code == -32602)
        }
    }

    @Test("the request bytes carry the id as sent and the params re-serialized")
    func requestBytes() throws {
        let call = try ToolCall(id: id, params: json(#"{ "name" : "e\u0063ho", "arguments" : { "b":1e3, "a":"\u00e9" } }"#))
        #expect(text(call.requestBytes) == #"{"jsonrpc":"2.0","id":"c\u002d1","method":"tools/call","params":{"name":"echo","arguments":{"b":1e3,"a":"é"}}}"#)
        var output = bytes("prefix:")
        call.writeRequest(to: &output)
        #expect(text(output) == "prefix:" + text(call.requestBytes), "writeRequest appends")
    }
}
