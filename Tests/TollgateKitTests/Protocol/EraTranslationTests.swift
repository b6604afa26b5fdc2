import Testing
@testable import TollgateKit

@Suite("EraTranslation: requests and results across the 2025 and 2026-07-28 eras")
struct EraTranslationTests {
    private func object(_ text: String) throws -> JSONObject {
        guard let object = try json(text).objectValue else { throw TestFailure() }
        return object
    }

    private func stateless(_ raw: String, method: String?) -> String? {
        bytes(raw).withUnsafeBytes { EraTranslation.statelessResult($0, method: method) }.map(text)
    }

    private func session(_ raw: String) -> EraTranslation.SessionResult {
        bytes(raw).withUnsafeBytes { EraTranslation.sessionResult($0) }
    }

    @Test("the envelope: the version key alone marks a stateless request; missing fields are -32602, other versions -32022")
    func envelope() throws {
        let supported = HostSession.allVersions
        #expect(!EraTranslation.hasStatelessEnvelope(try object(#"{"_meta":{"progressToken":1}}"#)))
        #expect(EraTranslation.hasStatelessEnvelope(try object(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#)))
        #expect(EraTranslation.envelopeError(nil, supported: supported)?.code == -32602)
        let noCapabilities = try object(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#)
        #expect(EraTranslation.envelopeError(noCapabilities, supported: supported)?.message.contains("clientCapabilities") == true)
        let numeric = try object(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":20260728,"io.modelcontextprotocol/clientCapabilities":{}}}"#)
        #expect(EraTranslation.envelopeError(numeric, supported: supported)?.code == -32602)
        let future = try object(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}"#)
        let error = try #require(EraTranslation.envelopeError(future, supported: supported))
        #expect(error.code == -32022)
        #expect(error.data?["requested"] == "2099-01-01")
        #expect(error.data?["supported"] == .array(supported.map(JSONValue.string)))
        let good = try object(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}"#)
        #expect(EraTranslation.envelopeError(good, supported: supported) == nil)
    }

    @Test("params for a 2025-era server lose the envelope (an emptied _meta too) and keep the rest; for a stateless one they gain it")
    func params() throws {
        let request = try object(#"{"name":"echo","_meta":{"progressToken":7,"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/logLevel":"info","com.example/trace":"x"}}"#)
        let legacy = try #require(EraTranslation.params(request, for: .session, envelope: JSONObject()))
        #expect(legacy["_meta"] == ["progressToken": 7, "com.example/trace": "x"])
        #expect(legacy["name"] == "echo")
        let onlyEnvelope = try object(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}"#)
        #expect(EraTranslation.params(onlyEnvelope, for: .session, envelope: JSONObject()) == JSONObject())
        #expect(EraTranslation.params(nil, for: .session, envelope: JSONObject()) == nil)

        let envelope = EraTranslation.envelope(clientInfo: ["name": "tollgate", "version": "1"])
        let modern = try #require(EraTranslation.params(try object(#"{"cursor":"c","_meta":{"progressToken":1}}"#), for: .stateless, envelope: envelope))
        #expect(modern["cursor"] == "c")
        #expect(modern["_meta"]?["progressToken"] == 1)
        #expect(modern["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        #expect(modern["_meta"]?["io.modelcontextprotocol/clientCapabilities"] == [:])
        #expect(modern["_meta"]?["io.modelcontextprotocol/clientInfo"]?["name"] == "tollgate")
        // A stateless client's own envelope is kept as it is.
        let own = try #require(EraTranslation.params(request, for: .stateless, envelope: envelope))
        #expect(own["_meta"]?["io.modelcontextprotocol/clientInfo"]?["name"] == "c")
        #expect(own["_meta"]?["io.modelcontextprotocol/logLevel"] == "info")
        #expect(EraTranslation.params(nil, for: .stateless, envelope: envelope)?["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
    }

    @Test("results Tollgate builds get resultType, and caching hints when cacheable, without replacing members already there")
    func builtResults() throws {
        let call = EraTranslation.statelessResult(try object(#"{"content":[]}"#), method: "tools/call")
        #expect(call["resultType"] == "complete" && call["ttlMs"] == nil && call["cacheScope"] == nil)
        let list = EraTranslation.statelessResult(try object(#"{"tools":[],"cacheScope":"public"}"#), method: "tools/list")
        #expect(list["resultType"] == "complete" && list["ttlMs"] == 0 && list["cacheScope"] == "public")
        let interim = EraTranslation.statelessResult(try object(#"{"resultType":"input_required"}"#), method: "tools/call")
        #expect(interim["resultType"] == "input_required")
    }

    @Test("a 2025-era server's raw result for a stateless client: members added in front, the others' bytes untouched; nothing missing: nil")
    func rawToStateless() {
        #expect(stateless(#"{"content":[{"type":"text","text":"hi"}],"isError":false}"#, method: "tools/call")
                == #"{"resultType":"complete","content":[{"type":"text","text":"hi"}],"isError":false}"#)
        #expect(stateless("{}", method: "ping") == #"{"resultType":"complete"}"#)
        #expect(stateless(#"{ "a" : 1e400 , "b":[1, 2] }"#, method: nil) == #"{"resultType":"complete","a" : 1e400,"b":[1, 2]}"#)
        #expect(stateless(#"{"resources":[]}"#, method: "resources/list") == #"{"resultType":"complete","ttlMs":0,"cacheScope":"private","resources":[]}"#)
        #expect(stateless(#"{"resultType":"complete","content":[]}"#, method: "tools/call") == nil, "nothing to add")
        #expect(stateless(#"[1]"#, method: "tools/call") == nil, "not an object: left alone")
        #expect(stateless(#"{"a":1,"a":2}"#, method: "tools/call") == nil, "not valid: left alone")
    }

    @Test("a stateless server's raw result for a 2025-era client: resultType, ttlMs and cacheScope removed (escaped keys too); input_required is flagged")
    func rawToSession() {
        #expect(session(#"{"resultType":"complete","tools":[{"name":"x"}],"ttlMs":5,"cacheScope":"public","nextCursor":"n"}"#)
                == .rewritten(bytes(#"{"tools":[{"name":"x"}],"nextCursor":"n"}"#)))
        #expect(session(#"{"result\u0054ype":"complete"}"#) == .rewritten(bytes("{}")))
        #expect(session(#"{"content":[],"_meta":{"resultType":"x"}}"#) == .unchanged, "only top-level members count")
        #expect(session(#"{"resultType":"input_required","inputRequests":{}}"#) == .inputRequired)
    }
}
