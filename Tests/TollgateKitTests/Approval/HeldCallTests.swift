import Testing
@testable import TollgateKit

private let manifest = """
    {"version": 1, "policy": {"approvalTimeoutSeconds": 30}, "tools": {
      "echo": {"approval": "ask"},
      "add": {"approval": {"command": ["/usr/local/bin/approve", "--team", "ops"]}},
      "record": {}
    }}
    """

private let initialize = #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#
private let gateID = #""tollgate-n-1""#

private func toolCall(id: Int, _ name: String, _ arguments: String = #"{"text":"hi"}"#, stateless: Bool = false) -> String {
    let meta = stateless ? #","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"# : ""
    return #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":\#(arguments)\#(meta)}}"#
}

private func answer(_ action: String, content: String = "") -> String {
    #"{"jsonrpc":"2.0","id":\#(gateID),"result":{"action":"\#(action)"\#(content)}}"#
}

/// A session over the manifest's gate, with a fixed nonce for Tollgate's ids.
private func makeSession(elicits: Bool) throws -> RelaySession {
    let loaded = try? parseManifest(manifest).get()
    var session = RelaySession(gate: PolicyGate(manifest: try #require(loaded), diagnostics: .silent, workingDirectory: "/tmp"))
    session.approvals = ApprovalState(nonce: "n")
    #expect(session.holdsCalls && session.usesTimers)
    if elicits { #expect(session.client(initialize, at: 0).forward == .original, "initialize goes on to the server") }
    return session
}

extension RelaySession {
    fileprivate mutating func client(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { clientLine($0, now: now) }
    }
}

private func denialCode(_ line: [UInt8]) throws -> String? {
    try json(line)["result"]?["_meta"]?[Denial.metaKey]?["code"]?.stringValue
}

@Suite("Approval: held calls in the relay session")
struct HeldCallTests {
    @Test("a client that elicits is asked with a request of Tollgate's own id; accept forwards exactly the checked call")
    func elicitationAccept() throws {
        var session = try makeSession(elicits: true)
        let held = session.client(toolCall(id: 7, "echo"), at: 1000)
        #expect(held.forward == nil, "nothing reaches the server while the call is held")
        let request = try json(try #require(held.reply))
        #expect(request["method"] == "elicitation/create" && request["id"] == "tollgate-n-1")
        #expect(request["params"]?["message"]?.stringValue?.contains(#"Arguments: {"text":"hi"}"#) == true)
        #expect(request["params"]?["requestedSchema"]?["properties"]?["approve"]?["type"] == "boolean")
        #expect(session.nextDeadline == 31_000)
        #expect(session.pending.count == 1, "only initialize is pending")
        #expect(session.approvals.held.count == 1)

        let accepted = session.client(answer("accept", content: #","content":{"approve":true}"#), at: 2000)
        let call = try ToolCall(id: RequestID(bytes: bytes("7"), isString: false, hasEscapes: false),
                                params: try json(#"{"name":"echo","arguments":{"text":"hi"}}"#))
        #expect(accepted.forward == .call(call), "the answer is Tollgate's: the checked call goes on instead")
        #expect(accepted.reply == nil)
        #expect(session.pending.contains(call.id) && session.approvals.isEmpty && session.nextDeadline == nil)
        #expect(session.server(#"{"jsonrpc":"2.0","id":7,"result":{"content":[]}}"#).forward == .original)
    }

    @Test("decline, cancel, accept with approve false and an error answer deny with approval_denied", arguments: [
        answer("decline"), answer("cancel"), answer("accept", content: #","content":{"approve":false}"#),
        #"{"jsonrpc":"2.0","id":\#(gateID),"error":{"code":-32601,"message":"no"}}"#,
    ])
    func elicitationDenied(_ reply: String) throws {
        var session = try makeSession(elicits: true)
        _ = session.client(toolCall(id: 7, "echo"), at: 0)
        let denied = session.client(reply, at: 10)
        #expect(denied.forward == nil)
        #expect(try denialCode(try #require(denied.reply)) == "approval_denied")
        #expect(session.approvals.isEmpty && session.pending.count == 1, "only initialize is pending")
    }

    @Test("no answer in time: the client's elicitation is cancelled and the call denied; a late answer is dropped")
    func elicitationTimeout() throws {
        var session = try makeSession(elicits: true)
        _ = session.client(toolCall(id: 7, "echo"), at: 0)
        #expect(session.tick(now: 29_999).isEmpty)
        let expired = session.tick(now: 30_000)
        let lines = splitLines(expired.toClient)
        #expect(lines.count == 2 && expired.toServer.isEmpty)
        let cancel = try json(lines[0])
        #expect(cancel["method"] == "notifications/cancelled" && cancel["params"]?["requestId"] == "tollgate-n-1")
        #expect(try denialCode(lines[1]) == "approval_denied")
        #expect(try json(lines[1])["id"] == .number("7"))
        let late = session.client(answer("accept"), at: 30_001)
        #expect(late.forward == nil && late.reply == nil, "a late answer to Tollgate is dropped, never sent to the server")
    }

    @Test("a client that does not elicit: the approver command runs off the session; exit 0 forwards, anything else denies")
    func approverCommand() throws {
        var session = try makeSession(elicits: false)
        let held = session.client(toolCall(id: 3, "add", #"{"a":1,"b":2}"#), at: 0)
        #expect(held.forward == nil && held.reply == nil)
        let job = try #require(held.approvers.first)
        #expect(job.command == ["/usr/local/bin/approve", "--team", "ops"] && job.timeoutMilliseconds == 30_000)
        let input = try json(Array(job.input.dropLast()))
        #expect(input["tool"] == "add" && input["arguments"]?["b"] == .number("2") && input["rule"] == "tools.add" && input["requestId"] == .number("3"))
        let approved = session.approverFinished(job.token, .finished(.exited(0), note: "ok"), now: 5)
        #expect(text(approved.toServer) == #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"# + "\n")
        #expect(approved.toClient.isEmpty && session.pending.count == 1)

        let second = session.client(toolCall(id: 4, "add"), at: 10)
        let token = try #require(second.approvers.first?.token)
        let refused = session.approverFinished(token, .finished(.exited(1), note: ""), now: 20)
        #expect(refused.toServer.isEmpty)
        #expect(try denialCode(refused.toClient) == "approval_denied")
        let third = session.client(toolCall(id: 5, "add"), at: 30)
        let late = try #require(third.approvers.first?.token)
        #expect(try denialCode(session.tick(now: 30_030).toClient) == "approval_denied", "timeout first")
        let ignored = session.approverFinished(late, .finished(.exited(0), note: ""), now: 30_040)
        #expect(ignored.toServer.isEmpty && ignored.toClient.isEmpty, "an approver after the timeout changes nothing")
    }

    @Test("neither elicitation nor a command: approval_required at once; a stateless call is never elicited")
    func nobodyToAsk() throws {
        var session = try makeSession(elicits: false)
        let denied = session.client(toolCall(id: 9, "echo"), at: 0)
        #expect(denied.forward == nil)
        #expect(try denialCode(try #require(denied.reply)) == "approval_required")
        var modern = try makeSession(elicits: true)
        let stateless = modern.client(toolCall(id: 9, "echo", stateless: true), at: 0)
        #expect(try denialCode(try #require(stateless.reply)) == "approval_required")
        let command = modern.client(toolCall(id: 10, "add", stateless: true), at: 0)
        #expect(command.approvers.count == 1, "the stateless era has no server-to-client requests over stdio: the command asks")
    }

    @Test("ids: a held call's id is in use; a server request reusing Tollgate's id is refused; other responses pass")
    func idSpaces() throws {
        var session = try makeSession(elicits: true)
        _ = session.client(toolCall(id: 7, "echo"), at: 0)
        let duplicate = session.client(toolCall(id: 7, "record"), at: 1)
        #expect(try json(try #require(duplicate.reply))["error"]?["code"] == .number("-32600"))
        let collision = session.server(#"{"jsonrpc":"2.0","id":"tollgate-n-1","method":"sampling/createMessage","params":{}}"#)
        #expect(collision.forward == nil)
        #expect(try json(try #require(collision.reply))["error"]?["code"] == .number("-32600"))
        let serverRequest = session.server(#"{"jsonrpc":"2.0","id":"s-1","method":"elicitation/create","params":{}}"#)
        #expect(serverRequest.forward == .original)
        #expect(session.client(#"{"jsonrpc":"2.0","id":"s-1","result":{"action":"accept"}}"#, at: 2).forward == .original,
                "the answer to the server's own elicitation goes to the server")
        #expect(session.approvals.held.count == 1)
    }

    @Test("the server goes away: a held call is answered server_unavailable and the client's elicitation cancelled")
    func serverGone() throws {
        var session = try makeSession(elicits: true)
        _ = session.client(toolCall(id: 7, "echo"), at: 0)
        // The first line answers the pending initialize.
        let lines = Array(splitLines(session.serverWentAway(because: "the server exited")).dropFirst())
        #expect(lines.count == 2)
        #expect(try json(lines[0])["method"] == "notifications/cancelled")
        #expect(try denialCode(lines[1]) == "server_unavailable")
        #expect(session.approvals.isEmpty && session.nextDeadline == nil)
    }
}

@Suite("Approval: held calls with sampling caps (client responses and server requests read)")
struct HeldCallSamplingTests {
    @Test("with sampling caps on, the client's answer still goes to Tollgate and a server request reusing its id is refused")
    func withSamplingCaps() throws {
        let text = #"{"version": 1, "budgets": {"samplingTokens": 1000}, "tools": {"echo": {"approval": "ask"}}}"#
        let loaded = try? parseManifest(text).get()
        var session = RelaySession(gate: PolicyGate(manifest: try #require(loaded), diagnostics: .silent, workingDirectory: "/tmp"))
        session.approvals = ApprovalState(nonce: "n")
        #expect(session.capsSampling && session.holdsCalls)
        _ = session.client(initialize, at: 0)
        #expect(try json(try #require(session.client(toolCall(id: 7, "echo"), at: 1).reply))["method"] == "elicitation/create")
        let collision = session.server(#"{"jsonrpc":"2.0","id":"tollgate-n-1","method":"sampling/createMessage","params":{"messages":[],"maxTokens":10}}"#)
        #expect(collision.forward == nil)
        #expect(try json(try #require(collision.reply))["error"]?["code"] == .number("-32600"))
        let accepted = session.client(answer("accept"), at: 2)
        guard case .call(let call)? = accepted.forward else {
            Issue.record("the approved call must be forwarded: \(accepted)")
            return
        }
        #expect(call.name == "echo" && session.approvals.isEmpty)
    }
}
