import Testing
@testable import TollgateKit

/// A 2026-07-28 client in front of 2025-era servers, and a 2025-era client in front of a
/// 2026-07-28-only server, through the aggregating gate's state machine.
@Suite("HostSession: protocol eras")
struct HostSessionEraTests {
    /// A stateless request line; `meta` goes in front of the envelope's members.
    static func stateless(_ id: String, _ method: String, _ params: String = "", meta: String = "", version: String = "2026-07-28",
                          capabilities: String = "{}") -> String {
        let envelope = #""_meta":{\#(meta)"io.modelcontextprotocol/protocolVersion":"\#(version)","io.modelcontextprotocol/clientCapabilities":\#(capabilities),"io.modelcontextprotocol/clientInfo":{"name":"modern","version":"2"}}"#
        return #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{\#(params.isEmpty ? "" : params + ",")\#(envelope)}}"#
    }

    /// The id of the one message `actions` sent child `child`, as JSON text.
    static func sentID(_ actions: HostActions, to child: Int, method: String) throws -> String {
        let message = try HostLine.one(actions.toChildren[child] ?? [])
        #expect(message["method"]?.stringValue == method, "\(message)")
        return text(try #require(message["id"]).serialized)
    }

    /// A session over 2025-era children a and b, started by a stateless `tools/list` (id 1) that
    /// waits for both children and their listings; returns the session and that answer.
    static func statelessSession(gate: any Gate = PassThroughGate(), limits: PeerLimits = .standard) throws -> (HostSession, JSONValue) {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a"), .init(name: "b")]), gate: gate, limits: limits)
        let start = session.client(stateless("1", "tools/list", capabilities: #"{"sampling":{}}"#))
        #expect(start.toClient.isEmpty, "the request waits for the children")
        var answer: [UInt8] = []
        for (index, name) in ["a", "b"].enumerated() {
            let initialize = try HostLine.one(start.toChildren[index] ?? [])
            #expect(initialize["params"]?["protocolVersion"] == "2025-11-25")
            #expect(initialize["params"]?["capabilities"] == ["sampling": [:]], "the first request's capabilities")
            #expect(initialize["params"]?["clientInfo"]?["name"] == "modern")
            let id = text(try #require(initialize["id"]).serialized)
            let ready = session.child(index, #"{"jsonrpc":"2.0","id":\#(id),"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"instructions":"Use \#(name).","serverInfo":{"name":"\#(name)","version":"1"}}}"#)
            let sent = try HostLine.all(ready.toChildren[index] ?? [])
            #expect(sent.map { $0["method"] } == ["notifications/initialized", "tools/list"])
            answer += ready.toClient
            let list = session.child(index, #"{"jsonrpc":"2.0","id":\#(text(sent[1]["id"]!.serialized)),"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}}]}}"#)
            answer += list.toClient
        }
        #expect(session.clientEra == .stateless && session.isInitialized)
        return (session, try HostLine.one(answer))
    }

    @Test("a stateless client in front of 2025-era servers: children initialized on its first request, lists with resultType and caching hints")
    func statelessListing() throws {
        let (_, list) = try Self.statelessSession()
        #expect(list["id"] == 1)
        #expect(list["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["a__echo", "b__echo"])
        #expect(list["result"]?["resultType"] == "complete")
        #expect(list["result"]?["ttlMs"] == 0)
        #expect(list["result"]?["cacheScope"] == "private")
    }

    @Test("server/discover is answered by Tollgate: versions of both eras, merged capabilities and instructions, serverInfo in _meta")
    func discover() throws {
        var (session, _) = try Self.statelessSession()
        let answer = try HostLine.one(session.client(Self.stateless(#""d-1""#, "server/discover")).toClient)
        let result = try #require(answer["result"])
        #expect(answer["id"] == "d-1")
        #expect(result["resultType"] == "complete" && result["ttlMs"] == 0 && result["cacheScope"] == "private")
        let versions = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(versions.first == "2026-07-28" && versions.contains("2025-11-25"), "\(versions)")
        #expect(result["capabilities"]?["tools"] == [:])
        #expect(result["_meta"]?["io.modelcontextprotocol/serverInfo"]?["name"] == "tollgate")
        let instructions = result["instructions"]?.stringValue ?? ""
        #expect(instructions.contains("## a\nUse a.") && instructions.contains("## b\nUse b."), "\(instructions)")
    }

    @Test("a stateless tools/call reaches the 2025-era child without the envelope (progress token kept) and comes back with resultType")
    func statelessCall() throws {
        var (session, _) = try Self.statelessSession()
        let sent = session.client(Self.stateless("7", "tools/call", #""name":"b__echo","arguments":{"text":"hi"}"#, meta: #""progressToken":"p","#))
        let forwarded = try HostLine.one(sent.toChildren[1] ?? [])
        #expect(forwarded["params"]?["name"] == "echo")
        let meta = try #require(forwarded["params"]?["_meta"]?.objectValue)
        #expect(meta.keys == ["progressToken"], "the child sees no 2026-07-28 envelope: \(meta)")
        let gateID = text(forwarded["id"]!.serialized)
        let answer = session.child(1, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[{"type":"text","text":"hi"}]}}"#)
        #expect(text(answer.toClient) == #"{"jsonrpc":"2.0","id":7,"result":{"resultType":"complete","content":[{"type":"text","text":"hi"}]}}"# + "\n")
        let denied = try HostLine.one(session.client(Self.stateless("8", "tools/call", #""name":"c__echo""#)).toClient)
        #expect(denied["error"]?["code"] == -32602, "unknown tool")
        #expect(try HostLine.one(session.client(Self.stateless("9", "ping")).toClient)["result"] == ["resultType": "complete"])
    }

    @Test("a stateless client's era holds: initialize is -32022 naming 2026-07-28, requests without the envelope -32602, other versions -32022")
    func statelessRefusals() throws {
        var (session, _) = try Self.statelessSession()
        let initialize = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#).toClient)
        #expect(initialize["error"]?["code"] == -32022)
        #expect(initialize["error"]?["data"]?["supported"] == ["2026-07-28"])
        let bare = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).toClient)
        #expect(bare["error"]?["code"] == -32602)
        let future = try HostLine.one(session.client(Self.stateless("4", "tools/list", version: "2099-01-01")).toClient)
        #expect(future["error"]?["code"] == -32022 && future["error"]?["data"]?["requested"] == "2099-01-01")
    }

    @Test("a 2025-era child's requests are not sent to a stateless client: ping answered by Tollgate, sampling refused; list changes not pushed")
    func statelessChildRequests() throws {
        var (session, _) = try Self.statelessSession()
        let ping = session.child(0, #"{"jsonrpc":"2.0","id":"s-1","method":"ping"}"#)
        #expect(ping.toClient.isEmpty)
        #expect(text(ping.toChildren[0] ?? []) == #"{"jsonrpc":"2.0","id":"s-1","result":{}}"# + "\n")
        let sampling = session.child(0, #"{"jsonrpc":"2.0","id":"s-2","method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}"#)
        #expect(sampling.toClient.isEmpty)
        #expect(try HostLine.one(sampling.toChildren[0] ?? [])["error"]?["code"] == -32601)
        let changed = session.child(0, #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
        let relist = try HostLine.one(changed.toChildren[0] ?? [])
        let listed = session.child(0, #"{"jsonrpc":"2.0","id":\#(text(relist["id"]!.serialized)),"result":{"tools":[]}}"#)
        #expect(listed.toClient.isEmpty, "no list_changed for a stateless client")
        let log = session.child(0, #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}"#)
        #expect(log.toClient.isEmpty)
    }

    /// Parks a stateless call of b__ask (id 10) on b's sampling request: returns the gate id
    /// b knows the call by, the input request's key and the requestState.
    static func parkedCall(_ session: inout HostSession) throws -> (gateID: String, key: String, state: String) {
        let call = try HostLine.one(session.client(stateless("10", "tools/call", #""name":"b__ask","arguments":{"p":1}"#)).toChildren[1] ?? [])
        let asked = session.child(1, #"{"jsonrpc":"2.0","id":"s-1","method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}"#)
        #expect(asked.toChildren.isEmpty, "nothing goes back to the child yet")
        let interim = try HostLine.one(asked.toClient)
        #expect(interim["id"] == 10 && interim["result"]?["resultType"] == "input_required", "\(interim)")
        let requests = try #require(interim["result"]?["inputRequests"]?.objectValue)
        #expect(requests.count == 1)
        let key = try #require(requests.keys.first)
        #expect(requests[key]?["method"] == "sampling/createMessage" && requests[key]?["params"]?["maxTokens"] == 5)
        let state = try #require(interim["result"]?["requestState"]?.stringValue)
        return (text(call["id"]!.serialized), key, state)
    }

    static func retry(_ key: String, _ state: String, id: String = "11") -> String {
        stateless(id, "tools/call", #""name":"b__ask","arguments":{"p":1},"inputResponses":{"\#(key)":{"role":"assistant","content":{"type":"text","text":"ok"},"model":"m"}},"requestState":"\#(state)""#)
    }

    @Test("a 2025-era child's sampling request rides on the stateless client's call as input_required; the retry's answer goes to the child, the call's to the retry")
    func inputRequired() throws {
        var (session, _) = try Self.statelessSession()
        let (gateID, key, state) = try Self.parkedCall(&session)
        #expect(!session.ids.isInFlight(clientID: RequestID(bytes: bytes("10"), isString: false, hasEscapes: false)), "id 10 was answered")
        let resumed = session.client(Self.retry(key, state))
        #expect(resumed.toClient.isEmpty)
        #expect(text(resumed.toChildren[1] ?? []) == #"{"jsonrpc":"2.0","id":"s-1","result":{"role":"assistant","content":{"type":"text","text":"ok"},"model":"m"}}"# + "\n")
        let answer = session.child(1, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[{"type":"text","text":"ok"}]}}"#)
        #expect(text(answer.toClient) == #"{"jsonrpc":"2.0","id":11,"result":{"resultType":"complete","content":[{"type":"text","text":"ok"}]}}"# + "\n")
        let again = try HostLine.one(session.client(Self.retry(key, state, id: "12")).toClient)
        #expect(again["error"]?["code"] == -32602, "a requestState is used once")
    }

    @Test("a second request of the child while the client answers the first goes out in the next round")
    func inputRequiredRounds() throws {
        var (session, _) = try Self.statelessSession()
        let (gateID, key, state) = try Self.parkedCall(&session)
        #expect(session.child(1, #"{"jsonrpc":"2.0","id":"s-2","method":"roots/list"}"#).isEmpty, "waits for the next round")
        let resumed = session.client(Self.retry(key, state))
        #expect(try HostLine.one(resumed.toChildren[1] ?? [])["id"] == "s-1")
        let second = try HostLine.one(resumed.toClient)
        #expect(second["id"] == 11 && second["result"]?["resultType"] == "input_required")
        let requests = try #require(second["result"]?["inputRequests"]?.objectValue)
        #expect(requests.members.map { $0.value["method"] } == ["roots/list"])
        let nextState = try #require(second["result"]?["requestState"]?.stringValue)
        #expect(nextState != state)
        let last = session.client(Self.stateless("12", "tools/call", #""name":"b__ask","inputResponses":{"\#(requests.keys[0])":{"roots":[]}},"requestState":"\#(nextState)""#))
        #expect(text(last.toChildren[1] ?? []) == #"{"jsonrpc":"2.0","id":"s-2","result":{"roots":[]}}"# + "\n")
        let answer = try HostLine.one(session.child(1, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[]}}"#).toClient)
        #expect(answer["id"] == 12)
    }

    @Test("a parked call's timeout waits for the retry and starts again with it; the denial goes to the retry's id")
    func inputRequiredTimeout() throws {
        var (session, _) = try Self.statelessSession(gate: TimingGate(timedTool: "b__ask", timeoutMilliseconds: 200, tickInterval: nil))
        func client(_ line: String, now: Int64) -> HostActions { bytes(line).withUnsafeBytes { session.clientLine($0, now: now) } }
        func child(_ line: String, now: Int64) -> HostActions { bytes(line).withUnsafeBytes { session.childLine(1, $0, now: now) } }
        _ = client(Self.stateless("10", "tools/call", #""name":"b__ask","arguments":{"p":1}"#), now: 1000)
        #expect(session.armTimer() == 1200)
        let asked = child(#"{"jsonrpc":"2.0","id":"s-1","method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}"#, now: 1100)
        let interim = try HostLine.one(asked.toClient)
        let key = try #require(interim["result"]?["inputRequests"]?.objectValue?.keys.first)
        let state = try #require(interim["result"]?["requestState"]?.stringValue)
        #expect(session.tick(now: 1500).isEmpty, "no timeout while the client answers")
        _ = client(Self.retry(key, state), now: 2000)
        #expect(session.tick(now: 2199).isEmpty)
        let fired = try HostLine.one(session.tick(now: 2200).toClient)
        #expect(fired["id"] == 11 && fired["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == "timeout" && fired["result"]?["resultType"] == "complete", "\(fired)")
    }

    @Test("a call answered before the client's retry keeps its answer for the retry; a child request with no call to carry it is refused")
    func inputRequiredAnsweredFirst() throws {
        var (session, _) = try Self.statelessSession()
        let (gateID, key, state) = try Self.parkedCall(&session)
        let early = session.child(1, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[]}}"#)
        #expect(early.toClient.isEmpty, "kept for the retry")
        let resumed = session.client(Self.retry(key, state))
        #expect(try HostLine.one(resumed.toChildren[1] ?? [])["id"] == "s-1")
        #expect(text(resumed.toClient) == #"{"jsonrpc":"2.0","id":11,"result":{"resultType":"complete","content":[]}}"# + "\n")
        let lone = session.child(0, #"{"jsonrpc":"2.0","id":"s-9","method":"elicitation/create","params":{}}"#)
        #expect(try HostLine.one(lone.toChildren[0] ?? [])["error"]?["code"] == -32601)
    }

    @Test("stateless requests that arrive while the children start wait, keep their order, and hold their ids")
    func deferred() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a")]))
        let start = session.client(Self.stateless("1", "server/discover"))
        let initID = try Self.sentID(start, to: 0, method: "initialize")
        #expect(session.client(Self.stateless("2", "ping")).isEmpty)
        #expect(try HostLine.one(session.client(Self.stateless("2", "ping")).toClient)["error"]?["code"] == -32600, "id 2 is waiting")
        let ready = session.child(0, #"{"jsonrpc":"2.0","id":\#(initID),"result":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        let answers = try HostLine.all(ready.toClient)
        #expect(answers.map { $0["id"] } == [1, 2])
        #expect(answers[0]["result"]?["supportedVersions"] != nil && answers[1]["result"]?["resultType"] == "complete")
    }

    @Test("a stateless client whose servers are all gone is answered at once")
    func noChildren() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a")]))
        _ = session.childGone(0, because: "exited with status 1")
        let list = try HostLine.one(session.client(Self.stateless("1", "tools/list")).toClient)
        #expect(list["result"]?["tools"] == [] && list["result"]?["resultType"] == "complete")
        let call = try HostLine.one(session.client(Self.stateless("2", "tools/call", #""name":"a__echo""#)).toClient)
        #expect(call["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == "server_unavailable" && call["result"]?["resultType"] == "complete")
    }

    /// A 2025-era client's session over a 2025-era child a and a 2026-07-28-only child b that
    /// refused `initialize` and was discovered; both listed.
    static func sessionOverStatelessChild() throws -> HostSession {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a"), .init(name: "b")]))
        let start = session.client(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"old","version":"1"}}}"#)
        let idA = try sentID(start, to: 0, method: "initialize")
        let idB = try sentID(start, to: 1, method: "initialize")
        let refused = session.child(1, #"{"jsonrpc":"2.0","id":\#(idB),"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2026-07-28"],"requested":"2025-11-25"}}}"#)
        #expect(refused.logs.isEmpty && refused.toClient.isEmpty)
        let discover = try HostLine.one(refused.toChildren[1] ?? [])
        #expect(discover["method"] == "server/discover")
        #expect(discover["params"]?["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        #expect(discover["params"]?["_meta"]?["io.modelcontextprotocol/clientCapabilities"] == [:])
        #expect(discover["params"]?["_meta"]?["io.modelcontextprotocol/clientInfo"]?["name"] == "old")
        let readyA = session.child(0, #"{"jsonrpc":"2.0","id":\#(idA),"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}}}}"#)
        #expect(readyA.toClient.isEmpty, "b is still being discovered")
        let listA = try HostLine.all(readyA.toChildren[0] ?? [])[1]
        _ = session.child(0, #"{"jsonrpc":"2.0","id":\#(text(listA["id"]!.serialized)),"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}}]}}"#)
        let discovered = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(discover["id"]!.serialized)),"result":{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"tools":{}},"instructions":"Use b.","ttlMs":0,"cacheScope":"public"}}"#)
        let toB = try HostLine.one(discovered.toChildren[1] ?? [])
        #expect(toB["method"] == "tools/list", "no notifications/initialized for a stateless server")
        #expect(toB["params"]?["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        let initialized = try HostLine.one(discovered.toClient)
        #expect(initialized["result"]?["instructions"]?.stringValue?.contains("## b\nUse b.") == true)
        _ = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(toB["id"]!.serialized)),"result":{"resultType":"complete","tools":[{"name":"echo","inputSchema":{"type":"object"}}],"ttlMs":0,"cacheScope":"public"}}"#)
        #expect(session.children[1].era == .stateless && session.children[1].phase == .ready)
        return session
    }

    @Test("a 2025-era client in front of a 2026-07-28-only server: discovered after refusing initialize; calls carry the version, results lose resultType")
    func sessionClientOverStatelessChild() throws {
        var session = try Self.sessionOverStatelessChild()
        let list = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).toClient)
        #expect(list["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["a__echo", "b__echo"])
        #expect(list["result"]?["resultType"] == nil && list["result"]?["ttlMs"] == nil)
        let sent = session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"b__echo","arguments":{"text":"hi"},"_meta":{"progressToken":5}}}"#)
        let call = try HostLine.one(sent.toChildren[1] ?? [])
        #expect(call["params"]?["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        #expect(call["params"]?["_meta"]?["io.modelcontextprotocol/clientCapabilities"] == [:])
        #expect(call["params"]?["_meta"]?["progressToken"] != nil)
        let answer = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(call["id"]!.serialized)),"result":{"resultType":"complete","content":[{"type":"text","text":"hi"}]}}"#)
        #expect(text(answer.toClient) == #"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"hi"}]}}"# + "\n")
        // The 2025-era child's call goes as the client sent it.
        let toA = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"a__echo","arguments":{}}}"#).toChildren[0] ?? [])
        #expect(toA["params"]?["_meta"] == nil)
        // roots/list_changed and logging/setLevel are gone from 2026-07-28: only a gets them.
        let roots = session.client(#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#)
        #expect(roots.toChildren[0] != nil && roots.toChildren[1] == nil)
    }

    @Test("a 2026-07-28 server's input_required reaches a 2025-era client as requests; the call goes to the server again with the answers")
    func inputRounds() throws {
        var session = try Self.sessionOverStatelessChild()
        let call = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"b__echo","arguments":{"text":"x"}}}"#).toChildren[1] ?? [])
        let interim = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(call["id"]!.serialized)),"result":{"resultType":"input_required","inputRequests":{"k1":{"method":"elicitation/create","params":{"message":"Name?","requestedSchema":{"type":"object"}}}},"requestState":"st-1"}}"#)
        let asked = try HostLine.one(interim.toClient)
        #expect(asked["method"] == "elicitation/create" && asked["params"]?["message"] == "Name?", "\(asked)")
        #expect(interim.toChildren.isEmpty)
        #expect(try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":5,"method":"ping"}"#).toClient)["error"]?["code"] == -32600, "id 5 is still in flight")
        let answered = session.client(#"{"jsonrpc":"2.0","id":\#(text(asked["id"]!.serialized)),"result":{"action":"accept","content":{"name":"n"}}}"#)
        #expect(answered.toClient.isEmpty)
        let again = try HostLine.one(answered.toChildren[1] ?? [])
        #expect(again["method"] == "tools/call" && again["params"]?["name"] == "echo" && again["params"]?["arguments"]?["text"] == "x")
        #expect(again["params"]?["inputResponses"]?["k1"]?["content"]?["name"] == "n" && again["params"]?["requestState"] == "st-1")
        #expect(again["params"]?["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        #expect(again["id"] != call["id"], "a new gate id")
        let final = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(again["id"]!.serialized)),"result":{"resultType":"complete","content":[{"type":"text","text":"n"}]}}"#)
        #expect(text(final.toClient) == #"{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"n"}]}}"# + "\n")
        #expect(session.waiting.inputRounds.isEmpty)

        // The client refusing the input ends the call with an error.
        let second = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"b__echo","arguments":{}}}"#).toChildren[1] ?? [])
        let ask = try HostLine.one(session.child(1, #"{"jsonrpc":"2.0","id":\#(text(second["id"]!.serialized)),"result":{"resultType":"input_required","inputRequests":{"s":{"method":"sampling/createMessage","params":{"messages":[],"maxTokens":1}}}}}"#).toClient)
        let refused = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":\#(text(ask["id"]!.serialized)),"error":{"code":-1,"message":"User rejected sampling request"}}"#).toClient)
        #expect(refused["id"] == 6 && refused["error"]?["code"] == -32603, "\(refused)")
        #expect(refused["error"]?["message"]?.stringValue?.contains("User rejected") == true)
    }

    @Test("a server that refuses initialize and offers no stateless version in server/discover has failed")
    func discoveryFails() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a")]))
        let start = session.client(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        let initID = try Self.sentID(start, to: 0, method: "initialize")
        let refused = session.child(0, #"{"jsonrpc":"2.0","id":\#(initID),"error":{"code":-32600,"message":"no"}}"#)
        let discoverID = try Self.sentID(refused, to: 0, method: "server/discover")
        let failed = session.child(0, #"{"jsonrpc":"2.0","id":\#(discoverID),"result":{"supportedVersions":["2025-11-25"],"capabilities":{}}}"#)
        #expect(failed.logs.contains { $0.contains("server a failed to initialize") && $0.contains("offers none") }, "\(failed.logs)")
        #expect(try HostLine.one(failed.toClient)["id"] == 0, "the client is answered without it")
        #expect(session.children[0].unavailableReason?.contains("failed to initialize") == true)
    }
}
