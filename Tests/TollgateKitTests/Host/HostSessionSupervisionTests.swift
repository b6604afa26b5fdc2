import Testing
@testable import TollgateKit

@Suite("HostSession: a child restarted after it failed")
struct HostSessionSupervisionTests {
    /// The exposed names in the client's `tools/list` answer.
    func listed(_ session: inout HostSession, id: Int = 50) throws -> [String] {
        let answer = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/list"}"#).toClient)
        return answer["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }

    /// Initializes and lists restarted child `child`, which now offers `tools`; returns what the
    /// client was sent meanwhile.
    func bringUp(_ session: inout HostSession, child: Int, tools: [String]) throws -> [JSONValue] {
        let restarted = session.childRestarted(child, now: 1_000)
        let initialize = try HostLine.one(try #require(restarted.toChildren[child]))
        #expect(initialize["method"] == "initialize" && initialize["params"]?["clientInfo"]?["name"] == "t")
        let ready = session.child(child, #"{"jsonrpc":"2.0","id":\#(text(initialize["id"]!.serialized)),"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"b","version":"2"}}}"#)
        let sent = try HostLine.all(try #require(ready.toChildren[child]))
        #expect(sent.map { $0["method"] } == ["notifications/initialized", "tools/list"])
        let toolJSON = tools.map { #"{"name":"\#($0)","inputSchema":{"type":"object"}}"# }.joined(separator: ",")
        let listed = session.child(child, #"{"jsonrpc":"2.0","id":\#(text(sent[1]["id"]!.serialized)),"result":{"tools":[\#(toolJSON)]}}"#)
        return try HostLine.all(listed.toClient)
    }

    @Test("gone, its tools leave (the client is told); restarted, it is initialized with the client's params, listed, and the client told again")
    func restarted() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["echo"], ["echo"]])
        let gone = session.childGone(1, because: "exited with status 3; restarting it")
        #expect(try HostLine.all(gone.toClient).map { $0["method"] } == ["notifications/tools/list_changed"])
        #expect(try listed(&session) == ["a__echo"])
        let denied = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b__echo","arguments":{}}}"#).toClient)
        #expect(text(denied.serialized).contains("restarting it"), "the denial says why: \(denied)")

        let told = try bringUp(&session, child: 1, tools: ["echo", "new_tool"])
        #expect(told.map { $0["method"] } == ["notifications/tools/list_changed"])
        #expect(try listed(&session, id: 51) == ["a__echo", "b__echo", "b__new_tool"])
        let call = session.client(#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"b__new_tool","arguments":{}}}"#)
        #expect(try HostLine.one(try #require(call.toChildren[1]))["params"]?["name"] == "new_tool")
    }

    @Test("keepListed: its tools stay listed while it is down (calls denied server_unavailable), nothing is announced until it lists again")
    func keepListed() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["echo"], ["echo"]])
        let gone = session.childGone(1, because: "exited with status 3; restarting it", keepListed: true)
        #expect(gone.toClient.isEmpty)
        #expect(try listed(&session) == ["a__echo", "b__echo"])
        let denied = session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b__echo","arguments":{}}}"#)
        #expect(text(denied.toClient).contains("server_unavailable") && denied.toChildren.isEmpty)
        let told = try bringUp(&session, child: 1, tools: ["echo"])
        #expect(told.map { $0["method"] } == ["notifications/tools/list_changed"])
    }

    @Test("a child restarted before the client's initialize waits for it like the others")
    func beforeInitialize() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a", prefixed: true), .init(name: "b", prefixed: true)]))
        _ = session.childGone(1, because: "exited with status 1; restarting it")
        #expect(session.childRestarted(1).toChildren.isEmpty)
        let start = session.client(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        #expect(start.toChildren[0] != nil && start.toChildren[1] != nil, "both are initialized")
    }

    @Test("a call to a child in its handshake after a restart waits for it, then goes out; one to a child that fails is answered")
    func callsWaitForTheHandshake() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["echo"], ["echo"]])
        _ = session.childGone(1, because: "exited with status 3; restarting it")
        let restarted = session.childRestarted(1)
        let initialize = try HostLine.one(try #require(restarted.toChildren[1]))
        let waiting = session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b__echo","arguments":{}}}"#)
        #expect(waiting.toClient.isEmpty && waiting.toChildren.isEmpty, "the call waits for the handshake")
        let again = session.client(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#)
        #expect(try HostLine.one(again.toClient)["error"] != nil, "its id stays in use while it waits")
        let ready = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(initialize["id"]!.serialized)),"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"b","version":"2"}}}"#)
        let sent = try HostLine.all(try #require(ready.toChildren[1]))
        #expect(sent.map { $0["method"] } == ["notifications/initialized", "tools/list", "tools/call"])
        #expect(sent[2]["params"]?["name"] == "echo")

        _ = session.childGone(0, because: "exited with status 3; restarting it")
        _ = session.childRestarted(0)
        _ = session.client(#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"a__echo","arguments":{}}}"#)
        let failed = session.childGone(0, because: "exited with status 1")
        #expect(text(failed.toClient).contains("server_unavailable"), "answered once it is clear the child will not start")
    }
}
