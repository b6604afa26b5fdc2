import Testing
@testable import TollgateKit

@Suite("HostSession: children's requests, notifications and ends")
struct HostSessionChildTests {
    @Test("a child's sampling request goes to the client under a gate id; the answer goes back to that child only")
    func childRequest() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["ask"], ["ask"]])
        let asked = try HostLine.one(session.child(1, #"{"jsonrpc":"2.0","id":"s-1","method":"sampling/createMessage","params":{"maxTokens":5}}"#).toClient)
        #expect(asked["method"] == "sampling/createMessage" && asked["params"]?["maxTokens"] == 5)
        let gateID = text(asked["id"]!.serialized)
        #expect(gateID != #""s-1""#)
        let answered = session.client(#"{"jsonrpc":"2.0","id":\#(gateID),"result":{"role":"assistant"}}"#)
        #expect(answered.toChildren[0] == nil)
        #expect(text(answered.toChildren[1] ?? []) == #"{"jsonrpc":"2.0","id":"s-1","result":{"role":"assistant"}}"# + "\n")
        let unknown = session.client(#"{"jsonrpc":"2.0","id":\#(gateID),"result":{}}"#)
        #expect(unknown.toChildren.isEmpty && unknown.logs.count == 1)
    }

    @Test("progress tokens are replaced toward a child and restored toward the client; foreign tokens are dropped")
    func progress() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["work"], ["work"]])
        let sent = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__work","_meta":{"progressToken":"mine"}}}"#).toChildren[0]!)
        let token = try #require(sent["params"]?["_meta"]?["progressToken"])
        #expect(token != "mine")
        let tokenText = text(token.serialized)
        let progress = try HostLine.one(session.child(0, #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(tokenText),"progress":1}}"#).toClient)
        #expect(progress["params"]?["progressToken"] == "mine" && progress["params"]?["progress"] == 1)
        let foreign = session.child(1, #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(tokenText),"progress":1}}"#)
        #expect(foreign.toClient.isEmpty && foreign.logs.count == 1)
    }

    @Test("cancellation both ways: the client's names the child's gate id; a child's names the gate id toward the client")
    func cancellation() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["sleep"], ["sleep"]])
        let sent = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"b__sleep"}}"#).toChildren[1]!)
        let cancel = session.client(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"user"}}"#)
        let toChild = try HostLine.one(cancel.toChildren[1] ?? [])
        #expect(toChild["params"]?["requestId"] == sent["id"] && toChild["params"]?["reason"] == "user")
        #expect(cancel.toChildren[0] == nil)
        let stray = session.client(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"nope"}}"#)
        #expect(stray.toChildren.isEmpty && stray.logs.count == 1)
        let asked = try HostLine.one(session.child(0, #"{"jsonrpc":"2.0","id":9,"method":"roots/list"}"#).toClient)
        let withdrawn = try HostLine.one(session.child(0, #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}}"#).toClient)
        #expect(withdrawn["params"]?["requestId"] == asked["id"])
        let late = session.client(#"{"jsonrpc":"2.0","id":\#(text(asked["id"]!.serialized)),"result":{"roots":[]}}"#)
        #expect(late.toChildren.isEmpty, "the answer to a cancelled request is dropped")
    }

    @Test("list_changed: the child is listed again, then the client is told; a tools/list meanwhile waits")
    func listChanged() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["one"], ["two"]])
        let changed = session.child(1, #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
        #expect(changed.toClient.isEmpty)
        let relist = try HostLine.one(changed.toChildren[1] ?? [])
        #expect(relist["method"] == "tools/list")
        #expect(session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).toClient.isEmpty)
        let done = try HostLine.all(session.child(1, #"{"jsonrpc":"2.0","id":\#(text(relist["id"]!.serialized)),"result":{"tools":[{"name":"three"}]}}"#).toClient)
        #expect(done.count == 2)
        #expect(done[0]["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["a__one", "b__three"])
        #expect(done[1]["method"] == "notifications/tools/list_changed")
    }

    @Test("a child that goes away: what it owes is answered, its tools leave, later calls are denied, others go on")
    func childGone() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["sleep"], ["sleep"]])
        _ = session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__sleep"}}"#)
        _ = session.child(0, #"{"jsonrpc":"2.0","id":"s-1","method":"sampling/createMessage","params":{}}"#)
        let gone = try HostLine.all(session.childGone(0, because: "exited with status 3").toClient)
        #expect(gone.count == 3, "\(gone)")
        #expect(gone[0]["id"] == 1 && gone[0]["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == "server_unavailable")
        #expect(gone[1]["method"] == "notifications/cancelled")
        #expect(gone[2]["method"] == "notifications/tools/list_changed")
        let list = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#).toClient)
        #expect(list["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["b__sleep"])
        let denied = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"a__sleep"}}"#).toClient)
        #expect(denied["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == "server_unavailable")
        #expect(session.client(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"b__sleep"}}"#).toChildren[1] != nil)
    }

    @Test("a child gone during the handshake still lets the client's initialize be answered")
    func goneDuringHandshake() throws {
        var session = HostSession(namespace: ToolNamespace(servers: [.init(name: "a"), .init(name: "b")]))
        let start = session.client(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        let idA = text(try HostLine.one(start.toChildren[0]!)["id"]!.serialized)
        #expect(session.childGone(1, because: "could not start").toClient.isEmpty)
        let answer = try HostLine.one(session.child(0, #"{"jsonrpc":"2.0","id":\#(idA),"result":{"protocolVersion":"2025-11-25","capabilities":{}}}"#).toClient)
        #expect(answer["id"] == 1 && answer["result"]?["serverInfo"]?["name"] == "tollgate")
    }
}
