import Testing
@testable import TollgateKit

@Suite("HostSession: handshake, listing, routing")
struct HostSessionTests {
    @Test("initialize waits for every child, passes the client's capabilities on, and answers as Tollgate")
    func initialize() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a"), .init(name: "b")]))
        let start = session.client(#"{"jsonrpc":"2.0","id":"init-1","method":"initialize","params":{"protocolVersion":"2099-01-01","capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}}"#)
        #expect(start.toClient.isEmpty, "answered before the children were initialized")
        let toA = try HostLine.one(start.toChildren[0] ?? [])
        #expect(toA["method"] == "initialize" && toA["params"]?["protocolVersion"] == "2025-11-25")
        #expect(toA["params"]?["capabilities"]?["sampling"] != nil, "the client's capabilities go to the child")
        let idA = text(toA["id"]!.serialized)
        let idB = text(try HostLine.one(start.toChildren[1] ?? [])["id"]!.serialized)
        #expect(idA != idB)
        let afterA = session.child(0, #"{"jsonrpc":"2.0","id":\#(idA),"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":true},"logging":{}},"instructions":"Use a.","serverInfo":{"name":"A","version":"1"}}}"#)
        #expect(afterA.toClient.isEmpty)
        let toAAgain = try HostLine.all(afterA.toChildren[0] ?? [])
        #expect(toAAgain.map { $0["method"] } == ["notifications/initialized", "tools/list"])
        let afterB = session.child(1, #"{"jsonrpc":"2.0","id":\#(idB),"result":{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"B","version":"1"}}}"#)
        let answer = try HostLine.one(afterB.toClient)
        #expect(answer["id"] == "init-1")
        #expect(answer["result"]?["protocolVersion"] == "2025-11-25")
        #expect(answer["result"]?["serverInfo"]?["name"] == "tollgate")
        #expect(answer["result"]?["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(answer["result"]?["capabilities"]?["logging"] != nil)
        let instructions = answer["result"]?["instructions"]?.stringValue ?? ""
        #expect(instructions.contains("## a\nUse a."), "instructions: \(instructions)")
        // b offers no tools capability: it is not listed, and a later tools/list answers at once
        // once a's listing arrives.
        #expect(afterB.toChildren[1].map { try! HostLine.all($0).map { $0["method"] } } == [.string("notifications/initialized")])
    }

    @Test("a child that refuses initialize does not stop the others; its calls are denied server_unavailable")
    func failedChild() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a"), .init(name: "b")]))
        let start = session.client(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        let idA = text(try HostLine.one(start.toChildren[0]!)["id"]!.serialized)
        let idB = text(try HostLine.one(start.toChildren[1]!)["id"]!.serialized)
        // A refused initialize is followed by server/discover (a stateless server would answer it).
        let refused = try HostLine.one(session.child(1, #"{"jsonrpc":"2.0","id":\#(idB),"error":{"code":-32603,"message":"no"}}"#).toChildren[1] ?? [])
        #expect(refused["method"] == "server/discover")
        let failed = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(refused["id"]!.serialized)),"error":{"code":-32601,"message":"Method not found"}}"#)
        #expect(failed.logs.contains { $0.contains("server b failed to initialize") })
        let list = session.child(0, #"{"jsonrpc":"2.0","id":\#(idA),"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}}}}"#)
        #expect(try HostLine.one(list.toClient)["id"] == 1)
        let denied = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"b__echo"}}"#).toClient)
        #expect(denied["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == "server_unavailable")
    }

    @Test("tools/list answers the namespaced union; a list waits while a listing is in progress")
    func listing() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["echo", "add"], ["echo"]])
        let list = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":5,"method":"tools/list"}"#).toClient)
        let names = list["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["a__echo", "a__add", "b__echo"])
        #expect(list["result"]?["nextCursor"] == nil)
        let cursor = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"cursor":"x"}}"#).toClient)
        #expect(cursor["error"]?["code"] == -32602)
    }

    @Test("tools/call routes by namespaced name to the owning child, under a gate id and the original name")
    func routing() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["echo"], ["echo"]])
        let sent = session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b__echo","arguments":{"text":"hi"}}}"#)
        #expect(sent.toClient.isEmpty && sent.toChildren[0] == nil)
        let forwarded = try HostLine.one(sent.toChildren[1] ?? [])
        #expect(forwarded["params"]?["name"] == "echo" && forwarded["params"]?["arguments"]?["text"] == "hi")
        let gateID = text(forwarded["id"]!.serialized)
        // The other child answering that id is not the owner: dropped.
        let wrong = session.child(0, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[]}}"#)
        #expect(wrong.toClient.isEmpty && wrong.logs.count == 1)
        let right = session.child(1, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[{"type":"text","text":"hi"}]}}"#)
        #expect(text(right.toClient) == #"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hi"}]}}"# + "\n")
        let again = session.child(1, #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"content":[]}}"#)
        #expect(again.toClient.isEmpty, "a second answer to the same id is dropped")
    }

    @Test("the gate decides on the namespaced name; unknown names are -32602; ping, other methods, batches")
    func gateAndOtherRequests() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["rm"], ["rm"]], gate: DenyingGate(denying: "a__rm"))
        let denied = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__rm"}}"#).toClient)
        #expect(denied["result"]?["_meta"]?["dev.tollgate/denial"]?["tool"] == "a__rm")
        #expect(session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"b__rm"}}"#).toChildren[1] != nil)
        let unknown = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"c__rm"}}"#).toClient)
        #expect(unknown["error"]?["code"] == -32602)
        #expect(try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":4,"method":"ping"}"#).toClient)["result"] == [:])
        #expect(try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":5,"method":"tasks/list"}"#).toClient)["error"]?["code"] == -32601)
        #expect(try HostLine.one(session.client(#"[{"jsonrpc":"2.0","id":6,"method":"ping"}]"#).toClient)["error"]?["code"] == -32600)
        var fresh = HostSession(namespace: ToolNamespace(servers: [.init(name: "a")]))
        // server/discover without the 2026-07-28 envelope is malformed (HostSessionEraTests has the rest).
        #expect(try HostLine.one(fresh.client(#"{"jsonrpc":"2.0","id":0,"method":"server/discover"}"#).toClient)["error"]?["code"] == -32602)
        #expect(try HostLine.one(fresh.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).toClient)["error"]?["code"] == -32600)
    }
}
