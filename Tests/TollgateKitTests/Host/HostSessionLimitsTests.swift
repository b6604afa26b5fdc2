import Testing
@testable import TollgateKit

/// The error code of the one line `buffer` holds.
private func errorCode(_ buffer: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue? {
    try HostLine.one(buffer, sourceLocation: sourceLocation)["error"]?["code"]
}

/// What only the session for several servers bounds (the rest: SessionLimitsTests).
@Suite("HostSession: bounds on what peers make it keep")
struct HostSessionLimitsTests {
    @Test("past serverRequestsInFlight a server's request to the client is refused to the server")
    func childRequests() throws {
        var limits = PeerLimits()
        limits.serverRequestsInFlight = 2
        var session = try HostSession.ready(["a", "b"], tools: [["echo"], ["echo"]], limits: limits)
        func ping(_ id: String) -> String { #"{"jsonrpc":"2.0","id":"\#(id)","method":"ping"}"# }
        #expect(try HostLine.one(session.child(0, ping("p1")).toClient)["method"] == "ping")
        #expect(try HostLine.one(session.child(1, ping("p2")).toClient)["method"] == "ping")
        let refused = session.child(0, ping("p3"))
        #expect(refused.toClient.isEmpty)
        #expect(try errorCode(refused.toChildren[0] ?? []) == -32603)
        #expect(session.ids.clientBoundCount == 2 && session.ids.clientBoundBytes == 8)
        _ = session.client(#"{"jsonrpc":"2.0","id":"tg-1","result":{}}"#)
        #expect(session.ids.clientBoundCount == 1 && session.ids.clientBoundBytes == 4)
        #expect(try HostLine.one(session.child(0, ping("p4")).toClient)["method"] == "ping", "room again")
    }

    /// A session over one child `a` that answered initialize and was asked for its first tools page.
    private func listingSession(_ limits: PeerLimits) throws -> (HostSession, listID: String) {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a")]), limits: limits)
        let start = session.client(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        let initialize = try HostLine.one(start.toChildren[0] ?? [])
        let ready = session.child(0, #"{"jsonrpc":"2.0","id":\#(text(initialize["id"]!.serialized)),"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"a","version":"1"}}}"#)
        let list = try #require(try HostLine.all(ready.toChildren[0] ?? []).last)
        return (session, text(list["id"]!.serialized))
    }

    private func page(_ id: String, _ names: [String], next: String?) -> String {
        let tools = names.map { #"{"name":"\#($0)","inputSchema":{"type":"object"}}"# }.joined(separator: ",")
        return #"{"jsonrpc":"2.0","id":\#(id),"result":{"tools":[\#(tools)]\#(next.map { #","nextCursor":"\#($0)""# } ?? "")}}"#
    }

    @Test("a listing past listingItems ends with what fits, asks for no further page, and says so")
    func listingItems() throws {
        var limits = PeerLimits()
        limits.listingItems = 3
        var (session, listID) = try listingSession(limits)
        let listed = session.child(0, page(listID, ["t1", "t2", "t3", "t4", "t5"], next: "more"))
        #expect(listed.toChildren.isEmpty, "no further page is asked for")
        #expect(listed.logs.contains { $0.contains("server a lists more tools than Tollgate keeps") }, "\(listed.logs)")
        #expect(session.children[0].tools?.count == 3 && session.union.tools.count == 3)
    }

    @Test("a listing past listingBytes ends after the page that passed it")
    func listingBytes() throws {
        var limits = PeerLimits()
        limits.listingBytes = 150
        var (session, listID) = try listingSession(limits)
        let first = session.child(0, page(listID, ["t1", "t2"], next: "more"))
        #expect(first.toChildren.isEmpty && first.logs.contains { $0.contains("lists more tools") })
        #expect(session.children[0].tools?.count == 2)
        // A last page within the bound cuts nothing and says nothing.
        var (exact, exactID) = try listingSession(limits)
        let whole = exact.child(0, page(exactID, ["t1", "t2"], next: nil))
        #expect(!whole.logs.contains { $0.contains("lists more") } && exact.children[0].tools?.count == 2)
    }

    @Test("a stateless client: past inputsPerParkedCall a server's request waiting for the next round is refused")
    func inputsPerParkedCall() throws {
        var limits = PeerLimits()
        limits.inputsPerParkedCall = 2
        var (session, _) = try HostSessionEraTests.statelessSession(limits: limits)
        _ = try HostSessionEraTests.parkedCall(&session)
        #expect(session.child(1, #"{"jsonrpc":"2.0","id":"s-2","method":"roots/list"}"#).isEmpty)
        #expect(session.child(1, #"{"jsonrpc":"2.0","id":"s-3","method":"roots/list"}"#).isEmpty)
        let refused = session.child(1, #"{"jsonrpc":"2.0","id":"s-4","method":"roots/list"}"#)
        #expect(try HostLine.one(refused.toChildren[1] ?? [])["id"] == "s-4")
        #expect(try errorCode(refused.toChildren[1] ?? []) == -32603)
    }

    @Test("a stateless client: past parkedCalls a server's request that would park another call is refused")
    func parkedCalls() throws {
        var limits = PeerLimits()
        limits.parkedCalls = 1
        var (session, _) = try HostSessionEraTests.statelessSession(limits: limits)
        _ = try HostSessionEraTests.parkedCall(&session)
        let second = session.client(HostSessionEraTests.stateless("20", "tools/call", #""name":"b__ask","arguments":{"p":2}"#))
        #expect(second.toChildren[1] != nil)
        let refused = session.child(1, #"{"jsonrpc":"2.0","id":"s-9","method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}"#)
        #expect(refused.toClient.isEmpty, "call 20 is not answered input_required")
        #expect(try errorCode(refused.toChildren[1] ?? []) == -32603)
        #expect(session.waiting.parkedCalls.count == 1)
    }

}
