import Testing
@testable import TollgateKit

private func toolCall(_ id: Int, name: String = "echo", text: String = "hi") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{"text":"\#(text)"}}}"#
}

/// What only the session for one server bounds (the rest: SessionLimitsTests).
@Suite("RelaySession: bounds on what peers make it keep")
struct RelaySessionLimitsTests {
    @Test("past serverRequestsInFlight a sampling request is refused to the server, and its grant given back")
    func samplingGrants() throws {
        var limits = PeerLimits()
        limits.serverRequestsInFlight = 2
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"samplingTokens": 1000}, "tools": {"echo": {}}}"#).get())
        var session = RelaySession(gate: EffectingGate(manifest: manifest), limits: limits)
        func sampling(_ id: String) -> String {
            #"{"jsonrpc":"2.0","id":\#(id),"method":"sampling/createMessage","params":{"messages":[],"maxTokens":10}}"#
        }
        #expect(session.server(sampling(#""s-1""#)) == .passThrough)
        #expect(session.server(sampling(#""s-2""#)) == .passThrough)
        #expect(session.serverRequests.count == 2)
        let refused = session.server(sampling(#""s-3""#))
        #expect(refused.forward == nil)
        #expect(try json(try #require(refused.reply))["error"]?["code"]?.numberText == "-1")
        #expect(session.samplingGrants.count == 2)
        _ = session.client(#"{"jsonrpc":"2.0","id":"s-1","result":{"role":"assistant","content":{"type":"text","text":"ok"},"model":"m"}}"#)
        #expect(session.serverRequests.count == 1)
        #expect(session.server(sampling(#""s-4""#)) == .passThrough)
    }

    @Test("the pending table counts what its requests keep, through replacement, removal and removeAll")
    func pendingBytes() throws {
        var table = PendingTable()
        let id = RequestID(bytes: bytes(#""abc""#), isString: true, hasEscapes: false)
        table.insert(PendingRequest(clientID: id, purpose: .other("tools/list/long")))
        #expect(table.bytes == 5 + 15)
        table.insert(PendingRequest(clientID: id, purpose: .toolList(cursor: nil)))
        #expect(table.bytes == 5, "replaced")
        var call = try ToolCall(id: RequestID(bytes: bytes("9"), isString: false, hasEscapes: false), params: ["name": "echo"])
        call.messageBytes = 300
        table.insert(PendingRequest(clientID: call.id, purpose: .toolCall(call)))
        #expect(table.bytes == 5 + 301)
        _ = table.remove(id)
        #expect(table.bytes == 301)
        _ = table.removeAll()
        #expect(table.bytes == 0 && table.count == 0)
    }

    @Test("a tools/call read from a line knows its message's size")
    func messageBytes() {
        let line = toolCall(1)
        guard case .single(.toolCall(let call)) = bytes(line).withUnsafeBytes({ ClientLine.read($0) }) else {
            Issue.record("not read as a call")
            return
        }
        #expect(call.messageBytes == line.utf8.count)
    }
}
