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

/// What only the session for one server does with held calls (the rest: SessionApprovalTests).
@Suite("Approval: held calls in the relay session")
struct HeldCallTests {
    @Test("a stateless call is never elicited: approval_required, or the command asks")
    func statelessNeverElicited() throws {
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
