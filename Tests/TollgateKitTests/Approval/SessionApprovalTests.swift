import Testing
@testable import TollgateKit

/// Calls to `echo` are asked about, calls to `add` go to a command (under both names the gate
/// may see: the several servers' session exposes `b__echo` and `b__add`).
private let manifest = """
    {"version": 1, "policy": {"approvalTimeoutSeconds": 30}, "tools": {
      "echo": {"approval": "ask"}, "b__echo": {"approval": "ask"},
      "add": {"approval": {"command": ["/usr/local/bin/approve", "--team", "ops"]}},
      "b__add": {"approval": {"command": ["/usr/local/bin/approve", "--team", "ops"]}}
    }}
    """

private let gateID = #""tollgate-n-1""#

private func toolCall(id: Int, _ name: String, _ arguments: String = #"{"text":"hi"}"#) -> String {
    TwinLine.call("\(id)", name, arguments: arguments)
}

private func answer(_ action: String, content: String = "") -> String {
    #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"action":"\#(action)"\#(content)}}"#
}

private func cancelled(_ id: String, reason: String = "the user stopped it") -> String {
    #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":\#(id),"reason":"\#(reason)"}}"#
}

private func denialCode(_ line: [UInt8]) throws -> String? {
    try HostLine.one(line)["result"]?["_meta"]?[Denial.metaKey]?["code"]?.stringValue
}

/// A session over the manifest's gate (a policy gate, or one with its effects), tools exposed
/// under the server's prefix (see ``Twin/name(_:prefixed:)``).
private func makeSession(_ twin: Twin, elicits: Bool, effects: Bool = false) throws -> any TwinSession {
    let loaded = try #require(try? parseManifest(manifest).get())
    let gate: any Gate = effects ? EffectingGate(manifest: loaded) : PolicyGate(manifest: loaded, diagnostics: .silent, workingDirectory: "/tmp")
    let session = try twin.session(gate: gate, tools: ["echo", "add"], elicits: elicits, prefixed: true)
    #expect(session.usesTimers)
    return session
}

@Suite("Approval: held calls, in both sessions")
struct SessionApprovalTests {
    @Test("a client that elicits is asked with a request of Tollgate's own id; accept sends exactly the checked call on, under the server's own tool name; the answer reaches the client",
          arguments: Twin.allCases)
    func elicitationAccept(_ twin: Twin) throws {
        var session = try makeSession(twin, elicits: true)
        let before = session.inFlight.count
        let held = session.fromClient(toolCall(id: 7, twin.name("echo", prefixed: true)), at: 1000)
        #expect(held.reachesNoServer, "nothing reaches a server while the call is held")
        let request = try HostLine.one(held.toClient)
        #expect(request["method"] == "elicitation/create" && request["id"] == "tollgate-n-1")
        #expect(request["params"]?["message"]?.stringValue?.contains(#"Arguments: {"text":"hi"}"#) == true)
        #expect(request["params"]?["requestedSchema"]?["properties"]?["approve"]?["type"] == "boolean")
        #expect(session.nextDeadline == 31_000)
        #expect(session.inFlight.count == before + 1 && session.approvals.held.count == 1, "only the held call is added")

        let accepted = session.fromClient(answer("accept", content: #","content":{"approve":true}"#), at: 2000)
        let sent = try HostLine.one(accepted.toServer)
        let checked = try json(#"{"name":"echo","arguments":{"text":"hi"}}"#)
        #expect(sent["method"] == "tools/call" && sent["params"] == checked,
                "the answer is Tollgate's: the checked call goes on instead")
        #expect(accepted.toClient.isEmpty && accepted.toOtherServers.isEmpty)
        #expect(session.inFlight.count == before + 1 && session.approvals.isEmpty && session.nextDeadline == nil)
        let answered = try session.fromServer(TwinLine.answer(to: accepted.toServer, result: #"{"content":[]}"#), at: 3000).clientLines()
        #expect(answered.count == 1 && answered.first?["id"] == 7 && answered.first?["result"] != nil)
    }

    @Test("decline, cancel, accept with approve false and an error answer deny with approval_denied; a second answer is dropped",
          arguments: Twin.allCases, [
              answer("decline"), answer("cancel"), answer("accept", content: #","content":{"approve":false}"#),
              #"{"jsonrpc":"2.0","id":\#(gateID),"error":{"code":-32601,"message":"no"}}"#,
          ])
    func elicitationDenied(_ twin: Twin, _ reply: String) throws {
        var session = try makeSession(twin, elicits: true)
        let before = session.inFlight.count
        _ = session.fromClient(toolCall(id: 7, twin.name("echo", prefixed: true)), at: 0)
        let denied = session.fromClient(reply, at: 10)
        #expect(denied.reachesNoServer)
        #expect(try denialCode(denied.toClient) == "approval_denied")
        let line = try HostLine.one(denied.toClient)
        #expect(line["id"] == 7 && line["result"]?["isError"] == true)
        #expect(session.approvals.isEmpty && session.inFlight.count == before, "nothing more in flight")
        let late = session.fromClient(answer("accept"), at: 20)
        #expect(late.toClient.isEmpty && late.reachesNoServer && late.logs.count == 1, "a second answer is dropped")
    }

    @Test("no answer in time: the client's elicitation is cancelled and the call denied; a late answer is dropped", arguments: Twin.allCases)
    func elicitationTimeout(_ twin: Twin) throws {
        var session = try makeSession(twin, elicits: true)
        _ = session.fromClient(toolCall(id: 7, twin.name("echo", prefixed: true)), at: 0)
        #expect(session.fired(at: 29_999).isEmpty)
        let expired = session.fired(at: 30_000)
        let lines = splitLines(expired.toClient)
        #expect(lines.count == 2 && expired.reachesNoServer)
        let cancel = try json(lines[0])
        #expect(cancel["method"] == "notifications/cancelled" && cancel["params"]?["requestId"] == "tollgate-n-1")
        #expect(try denialCode(lines[1]) == "approval_denied")
        #expect(try json(lines[1])["id"] == .number("7"))
        let late = session.fromClient(answer("accept"), at: 30_001)
        #expect(late.reachesNoServer && late.toClient.isEmpty, "a late answer to Tollgate is dropped, never sent to a server")
    }

    @Test("a client that does not elicit: the approver command runs off the session; exit 0 sends the call on, anything else denies",
          arguments: Twin.allCases)
    func approverCommand(_ twin: Twin) throws {
        var session = try makeSession(twin, elicits: false)
        let before = session.inFlight.count
        let add = twin.name("add", prefixed: true)
        let held = session.fromClient(toolCall(id: 3, add, #"{"a":1,"b":2}"#), at: 0)
        #expect(held.reachesNoServer && held.toClient.isEmpty)
        let job = try #require(held.approvers.first)
        #expect(job.command == ["/usr/local/bin/approve", "--team", "ops"] && job.timeoutMilliseconds == 31_000)
        let input = try json(Array(job.input.dropLast()))
        #expect(input["tool"] == .string(add) && input["arguments"]?["b"] == .number("2") && input["rule"] == .string("tools.\(add)")
                && input["requestId"] == .number("3"))
        let approved = session.approver(job.token, finished: .finished(.exited(0), note: "ok"), at: 5)
        let sentID = try #require(splitLines(approved.toServer).first.flatMap(idText(ofLine:)))
        #expect(text(approved.toServer) == #"{"jsonrpc":"2.0","id":\#(sentID),"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"# + "\n")
        #expect(approved.toClient.isEmpty && session.inFlight.count == before + 1)
        let answered = try session.fromServer(TwinLine.answer(to: approved.toServer), at: 6).clientLines()
        #expect(answered.first?["id"] == 3, "the client's id")

        let second = session.fromClient(toolCall(id: 4, add), at: 10)
        let token = try #require(second.approvers.first?.token)
        let refused = session.approver(token, finished: .finished(.exited(1), note: ""), at: 20)
        #expect(refused.reachesNoServer)
        #expect(try denialCode(refused.toClient) == "approval_denied")
        let third = session.fromClient(toolCall(id: 5, add), at: 30)
        let late = try #require(third.approvers.first?.token)
        #expect(try denialCode(session.fired(at: 30_030).toClient) == "approval_denied", "timeout first")
        let ignored = session.approver(late, finished: .finished(.exited(0), note: ""), at: 30_040)
        #expect(ignored.reachesNoServer && ignored.toClient.isEmpty, "an approver after the timeout changes nothing")
    }

    @Test("neither elicitation nor a command: approval_required at once", arguments: Twin.allCases)
    func nobodyToAsk(_ twin: Twin) throws {
        var session = try makeSession(twin, elicits: false)
        let denied = session.fromClient(toolCall(id: 9, twin.name("echo", prefixed: true)), at: 0)
        #expect(denied.reachesNoServer)
        #expect(try denialCode(denied.toClient) == "approval_required")
    }
}

@Suite("Approval: the client cancels a held call, in both sessions")
struct SessionApprovalCancellationTests {
    @Test("elicitation: the held call is released without an answer, Tollgate's elicitation is cancelled, the timer is gone, a late answer is dropped, the id is free again",
          arguments: Twin.allCases)
    func cancelWhileEliciting(_ twin: Twin) throws {
        var session = try makeSession(twin, elicits: true, effects: true)
        let before = session.inFlight.count
        let echo = twin.name("echo", prefixed: true)
        _ = session.fromClient(toolCall(id: 7, echo), at: 1000)
        #expect(session.approvals.held.count == 1)
        let actions = session.fromClient(cancelled("7"), at: 2000)
        #expect(actions.reachesNoServer, "the server never saw the call, so it gets no cancellation")
        let reply = try HostLine.one(actions.toClient)
        #expect(reply["method"] == "notifications/cancelled" && reply["params"]?["requestId"] == "tollgate-n-1",
                "the only line for the client cancels Tollgate's own elicitation; the cancelled call gets no response")
        #expect(reply["id"] == nil)
        #expect(session.approvals.isEmpty && session.nextDeadline == nil && session.inFlight.count == before, "nothing more in flight")
        #expect(session.fired(at: 31_000).isEmpty, "no approval timeout fires later")
        let late = session.fromClient(#"{"jsonrpc":"2.0","id":"tollgate-n-1","result":{"action":"accept","content":{"approve":true}}}"#, at: 3000)
        #expect(late.reachesNoServer && late.toClient.isEmpty, "an answer to the withdrawn elicitation runs nothing")
        let again = session.fromClient(toolCall(id: 7, echo), at: 4000)
        #expect(try HostLine.one(again.toClient)["method"] == "elicitation/create", "the id is free again")
    }

    @Test("approver command: the job is stopped (its token handed to the I/O layer) and its late result ignored", arguments: Twin.allCases)
    func cancelWhileTheApproverRuns(_ twin: Twin) throws {
        var session = try makeSession(twin, elicits: false, effects: true)
        let held = session.fromClient(toolCall(id: 3, twin.name("add", prefixed: true)), at: 0)
        let token = try #require(held.approvers.first?.token)
        let actions = session.fromClient(cancelled("3"), at: 10)
        #expect(actions.reachesNoServer && actions.toClient.isEmpty)
        #expect(actions.cancelledApprovers == [token])
        #expect(session.approvals.isEmpty && session.nextDeadline == nil)
        let finished = session.approver(token, finished: .cancelled, at: 20)
        #expect(finished.reachesNoServer && finished.toClient.isEmpty)
    }
}
