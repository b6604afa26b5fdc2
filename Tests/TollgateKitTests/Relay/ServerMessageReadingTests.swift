import Testing
@testable import TollgateKit

/// A gate over `tools`, with the budgets given (which may cap sampling).
private func policySession(tools: String = #"{"echo": {"maxResultTokens": 20}, "rm": {"allow": false}}"#,
                           budgets: String = #"{"samplingMaxTokensPerRequest": 100}"#) throws -> RelaySession {
    let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": \#(budgets), "tools": \#(tools)}"#).get())
    return RelaySession(gate: EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics))
}

private func call(_ id: String, _ name: String = "echo") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{}}}"#
}

/// The lines a forward carries, parsed (a batch is one array value).
private func forwarded(_ actions: RelayActions, original: String) throws -> JSONValue? {
    switch actions.forward {
    case .original?: return try JSONValue.parse(bytes(original))
    case .bytes(let line)?: return try JSONValue.parse(Array(line.dropLast()))
    case .call?, .batch?, nil: return nil
    }
}

/// Every element of a server batch is read and decided exactly as the same message alone.
@Suite("Server batches: each element decided as if alone")
struct ServerBatchTests {
    @Test("a batched tools/list result is filtered as alone: a denied tool never reaches the client")
    func listFiltered() throws {
        var session = try policySession()
        _ = session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        let list = #"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}},{"name":"rm","inputSchema":{"type":"object"}}]}}"#
        let line = "[" + list + #",{"jsonrpc":"2.0","method":"notifications/message","params":{}}]"#
        let sent = try #require(try forwarded(session.server(line), original: line)?.arrayValue)
        #expect(sent.count == 2)
        #expect(sent[0]["result"]?["tools"]?.arrayValue?.map { $0["name"] } == ["echo"])
        #expect(sent[1]["method"] == "notifications/message")
    }

    @Test("a batched result over maxResultTokens is withheld as alone")
    func resultCapped() throws {
        var session = try policySession()
        _ = session.client(call("2"))
        let big = String(repeating: "x", count: 400)
        let line = #"[{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"\#(big)"}]}}]"#
        let sent = try #require(try forwarded(session.server(line), original: line)?.arrayValue)
        #expect(sent.count == 1)
        #expect(sent[0]["result"]?["_meta"]?[Denial.metaKey]?["code"] == "result_too_large")
        #expect(!String(decoding: sent[0].serialized, as: UTF8.self).contains(big))
    }

    @Test("a batched sampling/createMessage over the cap is refused to the server and never reaches the client")
    func samplingCapped() throws {
        var session = try policySession()
        let over = #"{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{"messages":[],"maxTokens":5000}}"#
        let within = #"{"jsonrpc":"2.0","id":"s2","method":"sampling/createMessage","params":{"messages":[],"maxTokens":50}}"#
        let line = "[" + over + "," + within + "]"
        let actions = session.server(line)
        let sent = try #require(try forwarded(actions, original: line)?.arrayValue)
        #expect(sent.map { $0["id"] } == ["s2"])
        let reply = try JSONValue.parse(Array(try #require(actions.reply).dropLast()))
        #expect(reply.arrayValue?.map { $0["id"] } == ["s1"])
        #expect(reply.arrayValue?.first?["error"] != nil)
    }

    @Test("a batch whose elements all pass keeps its bytes; an empty batch is dropped")
    func unchanged() throws {
        var session = try policySession()
        _ = session.client(call("3"))
        #expect(session.server(#"[{"jsonrpc":"2.0","id":3,"result":{"content":[]}},{"jsonrpc":"2.0","method":"notifications/progress","params":{}}]"#) == .passThrough)
        #expect(session.server("[]").forward == nil)
    }
}

/// A response is delivered only to a request in flight with an equal id, under the asker's own
/// id bytes; anything else is dropped and the request stays in flight.
@Suite("Responses match requests by equal ids only")
struct ResponseMatchingTests {
    @Test("the server answering 7 under \"7\" answers nothing: dropped; the request stays pending for the real answer")
    func typeMatters() throws {
        var session = try policySession(tools: #"{"echo": {}, "rm": {"allow": false}}"#)
        _ = session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#)
        let forged = session.server(#"{"jsonrpc":"2.0","id":"7","result":{"tools":[{"name":"rm","inputSchema":{"type":"object"}}]}}"#)
        #expect(forged.forward == nil && forged.log?.contains("\"7\"") == true)
        #expect(session.pending.count == 1)
        let real = session.server(#"{"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"rm","inputSchema":{"type":"object"}}]}}"#)
        let sent = try #require(try forwarded(real, original: ""))
        #expect(sent["id"] == 7 && sent["result"]?["tools"] == [])
        #expect(session.server(#"{"jsonrpc":"2.0","id":7,"result":{"tools":[]}}"#).forward == nil, "a second answer is dropped")
    }

    @Test("an equal id spelled otherwise (7.0, 7e0, escapes) is delivered under the client's own bytes")
    func respelled() {
        var session = RelaySession()
        _ = session.client(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#)
        #expect(session.server(#"{"jsonrpc":"2.0","id":7.0,"result":{}}"#) == RelayActions(forward: .bytes(bytes(#"{"jsonrpc":"2.0","id":7,"result":{}}"# + "\n"))))
        _ = session.client(#"{"jsonrpc":"2.0","id":-0,"method":"ping"}"#)
        #expect(session.server(#"{"jsonrpc":"2.0","id":0,"result":{}}"#) == RelayActions(forward: .bytes(bytes(#"{"jsonrpc":"2.0","id":-0,"result":{}}"# + "\n"))))
        _ = session.client(#"{"jsonrpc":"2.0","id":"ab","method":"ping"}"#)
        #expect(session.server(#"{"jsonrpc":"2.0","id":"a\u0062","result":{}}"#) == RelayActions(forward: .bytes(bytes(#"{"jsonrpc":"2.0","id":"ab","result":{}}"# + "\n"))))
        _ = session.client(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(session.server(#"{"jsonrpc":"2.0","id":1.5,"result":{}}"#).forward == nil, "1.5 is not 1")
        #expect(session.pending.count == 1)
    }

    @Test("a client response reaches the server only for a request that server sent and still waits on, under its own id bytes")
    func clientResponses() {
        var session = RelaySession()
        #expect(session.client(#"{"jsonrpc":"2.0","id":"r1","result":{"roots":[]}}"#).forward == nil, "never asked")
        #expect(session.server(#"{"jsonrpc":"2.0","id":"r1","method":"roots/list"}"#) == .passThrough)
        #expect(session.server(#"{"jsonrpc":"2.0","id":"r1","method":"roots/list"}"#).reply != nil, "an id still waiting is refused")
        #expect(session.client(#"{"jsonrpc":"2.0","id":"r\u0031","result":{"roots":[]}}"#)
                == RelayActions(forward: .bytes(bytes(#"{"jsonrpc":"2.0","id":"r1","result":{"roots":[]}}"# + "\n"))))
        #expect(session.client(#"{"jsonrpc":"2.0","id":"r1","result":{"roots":[]}}"#).forward == nil, "answered once already")
        // In a client batch, the same rules apply element by element.
        #expect(session.server(#"{"jsonrpc":"2.0","id":5,"method":"roots/list"}"#) == .passThrough)
        let batch = session.client(#"[{"jsonrpc":"2.0","id":5,"result":{}},{"jsonrpc":"2.0","id":6,"result":{}}]"#)
        #expect(batch.forward == .bytes(bytes(#"[{"jsonrpc":"2.0","id":5,"result":{}}]"# + "\n")))
    }

    @Test("two requests in flight whose ids a double reader reads as one number: the second is refused")
    func doubleTwins() throws {
        var session = RelaySession()
        #expect(session.client(#"{"jsonrpc":"2.0","id":7.\#(String(repeating: "0", count: 70)),"method":"tools/list"}"#) == .passThrough)
        let twin = session.client(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#)
        let refusal = try JSONValue.parse(Array(try #require(twin.reply).dropLast()))
        #expect(twin.forward == nil && refusal["error"]?["code"] == -32600)
        #expect(session.client(#"{"jsonrpc":"2.0","id":9007199254740992,"method":"ping"}"#) == .passThrough)
        #expect(session.client(#"{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}"#).forward == nil, "2^53 + 1 reads as 2^53")
        #expect(session.client(#"{"jsonrpc":"2.0","id":"7","method":"ping"}"#) == .passThrough, "a string id is no number")
        _ = session.server(#"{"jsonrpc":"2.0","id":9007199254740992,"result":{}}"#)
        #expect(session.client(#"{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}"#) == .passThrough, "free again once answered")
    }

    @Test("the server may not keep more than the limit of requests waiting on the client")
    func bounded() {
        var session = RelaySession()
        for index in 0..<PeerLimits.standard.serverRequestsInFlight {
            _ = session.server(#"{"jsonrpc":"2.0","id":\#(index),"method":"ping"}"#)
        }
        let refused = session.server(#"{"jsonrpc":"2.0","id":"one-more","method":"ping"}"#)
        #expect(refused.forward == nil && refused.reply != nil)
        #expect(session.serverRequests.count == PeerLimits.standard.serverRequestsInFlight)
        _ = session.serverWentAway(because: "test")
        #expect(session.serverRequests.count == 0)
    }
}
