import Testing
@testable import TollgateKit

@Suite("HostSession: approval behind several servers")
struct HostSessionApprovalTests {
    static let manifest = #"{"version": 1, "policy": {"approvalTimeoutSeconds": 5}, "tools": {"*": {}, "b__deploy": {"approval": "ask"}, "b__wire": {"approval": {"command": ["/bin/true"], "ask": false}}}}"#

    func session(elicits: Bool = true) throws -> HostSession {
        try HostSession.ready(["a", "b"], tools: [["deploy"], ["deploy", "wire"]], gate: try policyGate(Self.manifest),
                              clientCapabilities: elicits ? #"{"elicitation":{}}"# : "{}")
    }

    /// Holds `b__deploy` (request 7) and returns Tollgate's elicitation id, as JSON text.
    func hold(_ session: inout HostSession) throws -> String {
        let held = session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b__deploy","arguments":{"to":"prod"}}}"#)
        #expect(held.toChildren.isEmpty, "nothing reaches a server while the call is held")
        let asked = try HostLine.one(held.toClient)
        #expect(asked["method"] == "elicitation/create")
        return text(try #require(asked["id"]).serialized)
    }

    @Test("accepted: the call goes to its server exactly as checked, under the server's own tool name; the answer reaches the client")
    func accepted() throws {
        var session = try session()
        let id = try hold(&session)
        let approved = session.client(#"{"jsonrpc":"2.0","id":\#(id),"result":{"action":"accept","content":{}}}"#)
        let sent = try HostLine.one(try #require(approved.toChildren[1]))
        #expect(approved.toChildren[0] == nil && approved.toClient.isEmpty)
        #expect(sent["params"]?["name"] == "deploy" && sent["params"]?["arguments"]?["to"] == "prod")
        let answered = session.child(1, #"{"jsonrpc":"2.0","id":\#(text(sent["id"]!.serialized)),"result":{"content":[]}}"#)
        #expect(try HostLine.one(answered.toClient)["id"] == 7)
    }

    @Test("declined: approval_denied, nothing reaches a server")
    func declined() throws {
        var session = try session()
        let id = try hold(&session)
        let denied = session.client(#"{"jsonrpc":"2.0","id":\#(id),"result":{"action":"decline"}}"#)
        #expect(denied.toChildren.isEmpty)
        let reply = try HostLine.one(denied.toClient)
        #expect(reply["id"] == 7 && reply["result"]?["isError"] == true)
        #expect(text(denied.toClient).contains("approval_denied"))
        let late = session.client(#"{"jsonrpc":"2.0","id":\#(id),"result":{"action":"accept"}}"#)
        #expect(late.toClient.isEmpty && late.toChildren.isEmpty && late.logs.count == 1, "a second answer is dropped")
    }

    @Test("no answer in time: approval_denied and the elicitation is cancelled")
    func timedOut() throws {
        var session = try session()
        let id = try hold(&session)
        #expect(session.tick(now: 4_999).toClient.isEmpty)
        let expired = try HostLine.all(session.tick(now: 5_000).toClient)
        #expect(expired.count == 2)
        #expect(expired[0]["method"] == "notifications/cancelled" && text(expired[0]["params"]!["requestId"]!.serialized) == id)
        #expect(expired[1]["id"] == 7 && expired[1]["result"]?["isError"] == true)
    }

    @Test("the client cancels a held call: released without an answer, its elicitation withdrawn, the id free again")
    func cancelled() throws {
        var session = try session()
        let id = try hold(&session)
        let cancelled = session.client(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}"#)
        let lines = try HostLine.all(cancelled.toClient)
        #expect(lines.count == 1 && lines[0]["method"] == "notifications/cancelled" && text(lines[0]["params"]!["requestId"]!.serialized) == id)
        #expect(cancelled.toChildren.isEmpty && session.approvals.isEmpty)
        #expect(session.tick(now: 10_000).toClient.isEmpty, "no timeout answer follows")
        let again = session.client(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#)
        #expect(try HostLine.one(again.toClient)["result"] != nil)
    }

    @Test("the client cancels a call held for the approver command: the I/O layer is told to stop it; its late result is ignored")
    func cancelledApprover() throws {
        var session = try session()
        let held = session.client(#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"b__wire","arguments":{}}}"#)
        let job = try #require(held.approvers.first)
        let cancelled = session.client(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":8,"reason":"user hit stop"}}"#)
        #expect(cancelled.cancelledApprovers == [job.token] && cancelled.toClient.isEmpty && cancelled.toChildren.isEmpty)
        let late = session.approverFinished(job.token, .cancelled, now: 10)
        #expect(late.toClient.isEmpty && late.toChildren.isEmpty)
    }

    @Test("a client that cannot elicit: approval_required at once")
    func cannotElicit() throws {
        var session = try session(elicits: false)
        let denied = session.client(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b__deploy","arguments":{}}}"#)
        #expect(denied.toChildren.isEmpty)
        #expect(text(denied.toClient).contains("approval_required"))
    }

    @Test("an approver command: the I/O layer is asked to run it; its approval routes the call")
    func approverCommand() throws {
        var session = try session()
        let held = session.client(#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"b__wire","arguments":{"amount":5}}}"#)
        let job = try #require(held.approvers.first)
        #expect(job.command == ["/bin/true"] && held.toClient.isEmpty && held.toChildren.isEmpty)
        #expect(text(job.input).contains(#""tool":"b__wire""#))
        let approved = session.approverFinished(job.token, .finished(.exited(0), note: "ok"), now: 10)
        let sent = try HostLine.one(try #require(approved.toChildren[1]))
        #expect(sent["params"]?["name"] == "wire")
    }
}
