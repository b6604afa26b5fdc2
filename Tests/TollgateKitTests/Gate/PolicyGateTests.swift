import Testing
@testable import TollgateKit

/// A gate over manifest text (which must load).
func policyGate(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> PolicyGate {
    let loaded = try? parseManifest(text).get()
    let manifest = try #require(loaded, sourceLocation: sourceLocation)
    return PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp")
}

/// The gate of manifest text with its effects (audit, budgets) carried out at once.
func effectingGate(_ text: String, audit: AuditTrail? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> EffectingGate {
    let loaded = try? parseManifest(text).get()
    let manifest = try #require(loaded, sourceLocation: sourceLocation)
    return EffectingGate(manifest: manifest, audit: audit)
}

/// A tools/call as the relay parses it.
func call(_ name: String, _ arguments: JSONObject = [:], id: Int = 1, stateless: Bool = false) throws -> ToolCall {
    var params: JSONObject = ["name": .string(name), "arguments": .object(arguments)]
    if stateless { params["_meta"] = [ProtocolEra.versionMetaKey: "2026-07-28"] }
    return try ToolCall(id: RequestID(bytes: Array(String(id).utf8), isString: false, hasEscapes: false), params: .object(params))
}

@Suite("Policy gate")
struct PolicyGateTests {
    static let manifest = """
        {
          "version": 1,
          "policy": {"default": "deny"},
          "tools": {
            "git_status": {"reason": "read-only"},
            "git_*": {"allow": false, "reason": "writes are reviewed by people"},
            "git_log": {"arguments": {"type": "object", "properties": {"max_count": {"type": "integer", "maximum": 50}}}},
            "read_*": {},
            "read_secret*": {"allow": false, "reason": "secrets stay put"},
            "*_query": {"arguments": {"properties": {"sql": {"type": "string", "pattern": "^SELECT "}}, "required": ["sql"]}},
          }
        }
        """

    @Test("exact beats glob, the longer literal prefix wins, no rule falls to the default")
    func precedence() throws {
        var gate = try policyGate(Self.manifest)
        #expect(gate.denial(for: try call("git_status")) == nil)
        #expect(gate.denial(for: try call("git_commit"))?.rule == "tools.git_*")
        #expect(gate.denial(for: try call("read_file")) == nil)
        #expect(gate.denial(for: try call("read_secrets"))?.rule == "tools.read_secret*")
        let unknown = try #require(gate.denial(for: try call("rm_rf")))
        #expect(unknown.code == .toolDenied)
        #expect(unknown.rule == "policy.default")
    }

    @Test("deny wins a tie of equally specific rules")
    func denyWinsTie() throws {
        var gate = try policyGate(#"{"version": 1, "policy": {"default": "allow"}, "tools": {"a*": {}, "a?": {"allow": false}}}"#)
        #expect(gate.denial(for: try call("ab"))?.rule == "tools.a?")
        #expect(gate.denial(for: try call("abc")) == nil)
    }

    @Test("every denial field, for tool_denied")
    func toolDeniedFields() throws {
        var gate = try policyGate(Self.manifest)
        guard case .deny(let denial) = gate.decide(try call("git_push")) else {
            Issue.record("git_push was not denied")
            return
        }
        let result = denial.result(era: .session)
        #expect(result["isError"] == true)
        #expect(result["content"]?.arrayValue?.count == 1)
        #expect(result["content"]?.arrayValue?.first?["type"] == "text")
        let text = try #require(result["content"]?.arrayValue?.first?["text"]?.stringValue)
        #expect(text.contains("git_push") && text.contains("writes are reviewed by people"))
        let entry = try #require(result["_meta"]?[Denial.metaKey])
        #expect(entry["code"] == "tool_denied")
        #expect(entry["tool"] == "git_push")
        #expect(entry["rule"] == "tools.git_*")
        #expect(entry["reason"] == "writes are reviewed by people")
        #expect(result["resultType"] == nil)
        #expect(denial.result(era: .stateless)["resultType"] == "complete")
    }

    @Test("arguments_rejected names the pointer and the keyword")
    func argumentsRejected() throws {
        var gate = try policyGate(Self.manifest)
        #expect(gate.denial(for: try call("git_log", ["max_count": 10])) == nil)
        let tooMany = try #require(gate.denial(for: try call("git_log", ["max_count": 500])))
        #expect(tooMany.code == .argumentsRejected)
        #expect(tooMany.details["pointer"] == "/max_count")
        #expect(tooMany.details["keyword"] == "maximum")
        let write = try #require(gate.denial(for: try call("run_query", ["sql": "DELETE FROM t"])))
        #expect(write.details["keyword"] == "pattern")
        let missing = try #require(gate.denial(for: try call("run_query")))
        #expect(missing.details["keyword"] == "required")
        #expect(gate.denial(for: try call("run_query", ["sql": "SELECT 1"])) == nil)
    }

    @Test("denied tools are removed from tools/list results; allowed ones stay byte-identical")
    func listFiltering() throws {
        var gate = try policyGate(Self.manifest)
        let result: JSONObject = ["tools": [["name": "git_status"], ["name": "git_commit"], ["name": "rm_rf"], ["name": "read_file"]], "nextCursor": "p2"]
        let maybeFiltered = gate.filterToolList(result)
        let filtered = try #require(maybeFiltered)
        #expect(filtered["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["git_status", "read_file"])
        #expect(filtered["nextCursor"] == "p2", "pagination survives filtering")
        let unchanged = gate.filterToolList(["tools": [["name": "git_status"]]])
        #expect(unchanged == nil, "nothing removed: the original bytes go through")
    }

    @Test("the tool's own inputSchema is enforced once seen (validateInput)")
    func validateInput() throws {
        var gate = try policyGate(#"{"version": 1, "policy": {"default": "allow"}}"#)
        _ = gate.filterToolList(["tools": [["name": "add", "inputSchema": ["type": "object", "properties": ["a": ["type": "number"]], "required": ["a"]]]]])
        let denial = try #require(gate.denial(for: try call("add", ["a": "x"])))
        #expect(denial.rule == "inputSchema")
        #expect(denial.details["pointer"] == "/a")
        #expect(gate.denial(for: try call("add", ["a": 2])) == nil)
        var off = try policyGate(#"{"version": 1, "policy": {"default": "allow", "validateInput": false}}"#)
        _ = off.filterToolList(["tools": [["name": "add", "inputSchema": ["type": "object", "required": ["a"]]]]])
        #expect(off.denial(for: try call("add")) == nil)
    }

    @Test("a server's pattern that cannot be matched in linear time is reported once and not enforced")
    func serverLookahead() throws {
        let log = LogSink()
        let manifest = try #require(try? parseManifest(#"{"version": 1, "policy": {"default": "allow"}}"#).get())
        var gate = PolicyGate(manifest: manifest, diagnostics: log.diagnostics, workingDirectory: "/tmp")
        let listing: JSONObject = ["tools": [["name": "q", "inputSchema": [
            "type": "object", "properties": ["sql": ["type": "string", "pattern": "^(?!DROP)", "maxLength": 20]],
        ]]]]
        _ = gate.filterToolList(listing)
        _ = gate.filterToolList(listing)
        #expect(log.lines.filter { !$0.hasPrefix("the server lists") }
                == ["tool q: its inputSchema uses keywords Tollgate does not check (ignored): /properties/sql/pattern"], "\(log.lines)")
        #expect(gate.denial(for: try call("q", ["sql": "DROP TABLE x"])) == nil, "the lookahead is not enforced")
        let tooLong = gate.denial(for: try call("q", ["sql": .string(String(repeating: "x", count: 21))]))
        #expect(tooLong?.details["keyword"] == "maxLength", "the rest of the schema is")
    }

    @Test("a server's pattern too expensive to check denies the call, even under not")
    func serverPatternOverBudget() throws {
        var gate = try policyGate(#"{"version": 1, "policy": {"default": "allow"}}"#)
        _ = gate.filterToolList(["tools": [["name": "q", "inputSchema": [
            "type": "object", "properties": ["text": ["not": ["pattern": "[ab]*a[ab]{3000}c"]]],
        ]]]])
        #expect(gate.denial(for: try call("q", ["text": "abc"])) == nil)
        let denial = try #require(gate.denial(for: try call("q", ["text": .string(String(repeating: "a", count: 20_000))])))
        #expect(denial.code == .argumentsRejected)
        #expect(denial.rule == "inputSchema")
        #expect(denial.details["pointer"] == "/text")
        #expect(denial.details["keyword"] == "pattern")
        #expect(denial.reason.hasPrefix("argument /text could not be checked: the pattern [ab]*a[ab]{3000}c is too expensive to check against this argument (more than 50000000 steps), so the call is denied"),
                "\(denial.reason)")
        #expect(denial.advice?.hasPrefix("Do not retry with the same arguments") == true)
    }

    @Test("after a complete listing, a tool the server does not offer is unknown_tool")
    func unknownTool() throws {
        var gate = try policyGate(#"{"version": 1, "policy": {"default": "allow"}}"#)
        #expect(gate.denial(for: try call("ghost")) == nil, "before any listing Tollgate cannot know")
        _ = gate.filterToolList(["tools": [["name": "a"]], "nextCursor": "2"])
        #expect(gate.denial(for: try call("ghost")) == nil, "the listing is not complete yet")
        _ = gate.filterToolList(["tools": [["name": "b"]]])
        #expect(gate.denial(for: try call("ghost"))?.code == .unknownTool)
        #expect(gate.denial(for: try call("a")) == nil)
        #expect(gate.denial(for: try call("b")) == nil)
    }

    @Test("canonically equivalent names are different tools: no cached decision leaks between them")
    func canonicalEquivalence() throws {
        // `?` matches one code point: the precomposed name matches, the decomposed one does not.
        var gate = try policyGate(#"{"version": 1, "tools": {"caf?": {}}}"#)
        #expect(gate.denial(for: try call("caf\u{e9}")) == nil)
        #expect(gate.denial(for: try call("cafe\u{301}"))?.code == .toolDenied)
    }

    @Test("monitor mode forwards what enforce mode would deny, and keeps tools listed")
    func monitorMode() throws {
        var gate = try policyGate(#"{"version": 1, "policy": {"mode": "monitor"}, "tools": {"x": {"allow": false}}}"#)
        #expect(gate.decide(try call("x")) == .forward)
        #expect(gate.denial(for: try call("x"))?.code == .toolDenied, "the would-be denial is still computed")
        let listed = gate.filterToolList(["tools": [["name": "x"]]])
        #expect(listed == nil)
    }

    @Test("the relay never forwards a denied call, even in a batch or with escapes in the method")
    func relayHonoursDenials() throws {
        var session = RelaySession(gate: try policyGate(Self.manifest))
        let line = Array(#"[{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"git_push"}},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"git_status"}}]"#.utf8)
        let actions = line.withUnsafeBytes { session.clientLine($0) }
        guard case .batch? = actions.forward else {
            Issue.record("expected a re-serialized batch")
            return
        }
        let text = String(decoding: actions.toServer, as: UTF8.self)
        #expect(!text.contains("git_push"))
        #expect(text.contains("git_status"))
        #expect(String(decoding: actions.reply ?? [], as: UTF8.self).contains("tool_denied"))
    }
}
