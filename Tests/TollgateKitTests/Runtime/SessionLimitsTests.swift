import Testing
@testable import TollgateKit

private func ping(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# }

private func toolCall(_ id: Int, name: String = "echo", text: String = "hi") -> String {
    TwinLine.call("\(id)", name, arguments: #"{"text":"\#(text)"}"#)
}

/// The JSON-RPC error code of a refusal, checking it reached no server.
private func refusalCode(_ actions: TwinActions, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    #expect(actions.reachesNoServer, "a refused request reaches no server", sourceLocation: sourceLocation)
    return try HostLine.one(actions.toClient, sourceLocation: sourceLocation)["error"]?["code"]?.numberText
}

@Suite("Both sessions: bounds on what the client makes them keep")
struct SessionLimitsTests {
    @Test("past requestsInFlight a request gets a JSON-RPC error and reaches no server; an answer makes room", arguments: Twin.allCases)
    func requestCount(_ twin: Twin) throws {
        var limits = PeerLimits()
        limits.requestsInFlight = 3
        var session = try twin.session(gate: DenyingGate(denying: "rm"), limits: limits)
        var sent: [[UInt8]] = []
        for id in 1...3 {
            sent.append(session.fromClient(toolCall(id)).toServer)
            #expect(!sent[id - 1].isEmpty)
        }
        #expect(session.inFlight.count == 3)
        let refused = session.fromClient(toolCall(4))
        #expect(try refusalCode(refused) == "-32603")
        #expect(refused.logs.contains { $0.contains("too many requests in flight") }, "\(refused.logs)")
        #expect(try refusalCode(session.fromClient(ping(5))) == "-32603")
        #expect(session.inFlight.count == 3, "the refused requests are not kept")
        #expect(try refusalCode(session.fromClient(toolCall(6, name: "rm"))) == "-32603", "refused before the gate is asked")
        #expect((session.gate as? DenyingGate)?.seen == ["echo", "echo", "echo"])
        // Notifications always pass.
        let notification = session.fromClient(#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#)
        #expect(!notification.toServer.isEmpty && notification.toClient.isEmpty)
        _ = session.fromServer(try TwinLine.answer(to: sent[0]), at: 0)
        #expect(!session.fromClient(toolCall(7)).toServer.isEmpty, "an answer made room")
    }

    @Test("past requestBytesInFlight a request is refused, but one request alone is always taken", arguments: Twin.allCases)
    func requestBytes(_ twin: Twin) throws {
        var limits = PeerLimits()
        limits.requestBytesInFlight = 1000
        var session = try twin.session(gate: DenyingGate(denying: "rm"), limits: limits)
        let big = session.fromClient(toolCall(1, text: String(repeating: "x", count: 5000))).toServer
        #expect(!big.isEmpty, "alone, a request larger than the bound is taken")
        #expect(session.inFlight.bytes >= 5000)
        #expect(try refusalCode(session.fromClient(ping(2))) == "-32603", "nothing more while it is in flight")
        _ = session.fromServer(try TwinLine.answer(to: big), at: 0)
        #expect(session.inFlight.bytes == 0)
        var id = 3
        var actions = session.fromClient(toolCall(id))
        while !actions.toServer.isEmpty && id < 100 {
            id += 1
            actions = session.fromClient(toolCall(id))
        }
        #expect(try refusalCode(actions) == "-32603")
        #expect(id > 8, "small calls are taken until they fill 1000 bytes (\(id - 3) were)")
        #expect(session.inFlight.bytes <= 1000 && session.inFlight.bytes + toolCall(id).utf8.count > 1000)
    }

    @Test("a timed-out request counts until its late answer or its grace period ends", arguments: Twin.allCases)
    func lateResponsesCount(_ twin: Twin) throws {
        var limits = PeerLimits()
        limits.requestsInFlight = 2
        var session = try twin.session(gate: TimingGate(tickInterval: nil), limits: limits)
        let first = session.fromClient(toolCall(1, name: "sleep"), at: 0).toServer
        let second = session.fromClient(toolCall(2, name: "sleep"), at: 0).toServer
        #expect(!first.isEmpty && !second.isEmpty)
        _ = session.fired(at: 1000)
        #expect(session.inFlight.count == 2 && session.timers.lateResponses == 2)
        #expect(try refusalCode(session.fromClient(ping(3), at: 1001)) == "-32603", "their ids are still reserved")
        #expect(session.fromServer(try TwinLine.answer(to: first), at: 1002).logs.first?.contains("late response") == true)
        let secondID = try #require(splitLines(second).first.flatMap(idText(ofLine:)))
        #expect(session.timers.lateResponses == 1 && session.timers.lateResponseBytes == secondID.utf8.count)
        #expect(!session.fromClient(toolCall(4), at: 1003).toServer.isEmpty)
        _ = session.fired(at: 1000 + RelaySession.lateResponseGraceMilliseconds)
        #expect(session.timers.lateResponses == 0 && session.timers.lateResponseBytes == 0)
        #expect(!session.fromClient(toolCall(5), at: 70_000).toServer.isEmpty, "the grace ended")
    }

    @Test("past heldCalls a call needing approval is denied at once, and recorded as abandoned", arguments: Twin.allCases)
    func heldCalls(_ twin: Twin) throws {
        var limits = PeerLimits()
        limits.heldCalls = 2
        let manifest = try #require(try? parseManifest(#"{"version": 1, "tools": {"add": {"approval": {"command": ["/bin/true"]}}}}"#).get())
        var session = try twin.session(gate: EffectingGate(manifest: manifest), limits: limits)
        #expect(session.fromClient(toolCall(1, name: "add"), at: 0).approvers.count == 1)
        #expect(session.fromClient(toolCall(2, name: "add"), at: 0).approvers.count == 1)
        #expect(session.approvals.held.count == 2 && session.approvals.heldBytes > 100)
        let third = session.fromClient(toolCall(3, name: "add"), at: 0)
        #expect(third.approvers.isEmpty && third.reachesNoServer, "no approver starts, nothing reaches a server")
        let result = try HostLine.one(third.toClient)["result"]
        #expect(result?["_meta"]?[Denial.metaKey]?["code"] == "approval_denied", "\(String(describing: result))")
        #expect(result?["_meta"]?[Denial.metaKey]?["reason"]?.stringValue?.contains("2 calls already wait for approval") == true)
        #expect(session.approvals.held.count == 2)
        _ = session.approver(1, finished: .finished(.exited(1), note: ""), at: 10)
        #expect(session.approvals.held.count == 1)
        #expect(session.fromClient(toolCall(4, name: "add"), at: 20).approvers.count == 1, "room again")
    }
}
