import Testing
@testable import TollgateKit

extension RelaySession {
    fileprivate mutating func client(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { clientLine($0, now: now) }
    }

    fileprivate mutating func server(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { serverLine($0, now: now) }
    }
}

private func ping(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# }

private func toolCall(_ id: Int, name: String = "echo", text: String = "hi") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{"text":"\#(text)"}}}"#
}

private func answer(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"result":{}}"# }

/// The JSON-RPC error code of a refusal, checking it was not forwarded.
private func refusalCode(_ actions: RelayActions, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    #expect(actions.forward == nil, "a refused request is not forwarded", sourceLocation: sourceLocation)
    return try json(try #require(actions.reply, sourceLocation: sourceLocation))["error"]?["code"]?.numberText
}

@Suite("RelaySession: bounds on what peers make it keep")
struct RelaySessionLimitsTests {
    @Test("past requestsInFlight a request gets a JSON-RPC error and is not forwarded; an answer makes room")
    func requestCount() throws {
        var limits = PeerLimits()
        limits.requestsInFlight = 3
        var session = RelaySession(gate: DenyingGate(denying: "rm"), limits: limits)
        #expect(session.client(ping(1)) == .passThrough)
        #expect(session.client(toolCall(2)).forward != nil)
        #expect(session.client(#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#) == .passThrough)
        #expect(session.requestsInFlight == 3)
        let refused = session.client(toolCall(4))
        #expect(try refusalCode(refused) == "-32603")
        #expect(refused.log?.contains("too many requests in flight") == true)
        #expect(try refusalCode(session.client(ping(5))) == "-32603")
        #expect(session.pending.count == 3, "the refused requests are not kept")
        #expect(try refusalCode(session.client(toolCall(6, name: "rm"))) == "-32603", "refused before the gate is asked")
        // Notifications and the client's responses always pass.
        #expect(session.client(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#) == .passThrough)
        _ = session.server(answer(1))
        #expect(session.client(ping(7)) == .passThrough, "an answer made room")
    }

    @Test("past requestBytesInFlight a request is refused, but one request alone is always taken")
    func requestBytes() throws {
        var limits = PeerLimits()
        limits.requestBytesInFlight = 1000
        var session = RelaySession(gate: DenyingGate(denying: "rm"), limits: limits)
        let big = toolCall(1, text: String(repeating: "x", count: 5000))
        #expect(session.client(big).forward != nil, "alone, a request larger than the bound is taken")
        #expect(session.requestBytesInFlight >= 5000)
        #expect(try refusalCode(session.client(ping(2))) == "-32603", "nothing more while it is in flight")
        _ = session.server(answer(1))
        #expect(session.requestBytesInFlight == 0)
        var id = 3
        var actions = session.client(toolCall(id))
        while actions.forward != nil && id < 100 {
            id += 1
            actions = session.client(toolCall(id))
        }
        #expect(try refusalCode(actions) == "-32603")
        #expect(id > 8, "small calls are taken until they fill 1000 bytes (\(id - 3) were)")
        #expect(session.requestBytesInFlight <= 1000 && session.requestBytesInFlight + toolCall(id).utf8.count > 1000)
    }

    @Test("a timed-out request counts until its late answer or its grace period ends")
    func lateResponsesCount() throws {
        var limits = PeerLimits()
        limits.requestsInFlight = 2
        var session = RelaySession(gate: TimingGate(tickInterval: nil), limits: limits)
        #expect(session.client(toolCall(1, name: "sleep"), at: 0).forward != nil)
        #expect(session.client(toolCall(2, name: "sleep"), at: 0).forward != nil)
        _ = session.tick(now: 1000)
        #expect(session.pending.count == 0 && session.timers.lateResponses == 2)
        #expect(try refusalCode(session.client(ping(3), at: 1001)) == "-32603", "their ids are still reserved")
        #expect(session.server(answer(1), at: 1002).log?.contains("late response") == true)
        #expect(session.timers.lateResponses == 1 && session.timers.lateResponseBytes == 1)
        #expect(session.client(ping(4), at: 1003) == .passThrough)
        _ = session.tick(now: 1000 + RelaySession.lateResponseGraceMilliseconds)
        #expect(session.timers.lateResponses == 0 && session.timers.lateResponseBytes == 0)
        #expect(session.client(ping(5), at: 70_000) == .passThrough, "the grace ended")
    }

    @Test("past heldCalls a call needing approval is denied at once, and recorded as abandoned")
    func heldCalls() throws {
        var limits = PeerLimits()
        limits.heldCalls = 2
        let manifest = try #require(try? parseManifest(#"{"version": 1, "tools": {"add": {"approval": {"command": ["/bin/true"]}}}}"#).get())
        var session = RelaySession(gate: EffectingGate(manifest: manifest), limits: limits)
        #expect(session.client(toolCall(1, name: "add"), at: 0).approvers.count == 1)
        #expect(session.client(toolCall(2, name: "add"), at: 0).approvers.count == 1)
        #expect(session.approvals.held.count == 2 && session.approvals.heldBytes > 100)
        let third = session.client(toolCall(3, name: "add"), at: 0)
        #expect(third.approvers.isEmpty && third.forward == nil, "no approver starts, nothing reaches the server")
        let result = try json(try #require(third.reply))["result"]
        #expect(result?["_meta"]?[Denial.metaKey]?["code"] == "approval_denied", "\(String(describing: result))")
        #expect(result?["_meta"]?[Denial.metaKey]?["reason"]?.stringValue?.contains("2 calls already wait for approval") == true)
        #expect(session.approvals.held.count == 2)
        _ = session.approverFinished(1, .finished(.exited(1), note: ""), now: 10)
        #expect(session.approvals.held.count == 1)
        #expect(session.client(toolCall(4, name: "add"), at: 20).approvers.count == 1, "room again")
    }

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
