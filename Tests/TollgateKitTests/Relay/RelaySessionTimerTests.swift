import Testing
@testable import TollgateKit

private func call(id: String, name: String = "sleep") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{"ms":5000}}}"#
}

extension RelaySession {
    fileprivate mutating func client(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { clientLine($0, now: now) }
    }
}

/// What only the session for one server does with timers (the rest: SessionTimerTests).
@Suite("RelaySession: timers")
struct RelaySessionTimerTests {
    @Test("a timed-out id is refused for reuse until its late response arrives or the grace period ends")
    func idReservedAfterTimeout() throws {
        var session = RelaySession(gate: TimingGate(tickInterval: nil))
        _ = session.client(call(id: "1"), at: 0)
        _ = session.tick(now: 1000)
        let reused = session.client(call(id: "1"), at: 1500)
        #expect(reused.forward == nil)
        #expect(try json(#require(reused.reply))["error"]?["code"]?.numberText == "-32600")
        #expect(session.nextDeadline == 1000 + RelaySession.lateResponseGraceMilliseconds)
        #expect(session.tick(now: 1000 + RelaySession.lateResponseGraceMilliseconds).isEmpty)
        #expect(session.client(call(id: "1"), at: 70_000).forward != nil, "free again after the grace period")
    }

    @Test("DeadlineTable keeps the earliest deadline through sets, moves and removals")
    func deadlineTable() {
        var table = DeadlineTable()
        #expect(table.earliest() == nil)
        table.set(.gate, at: 50)
        table.set(.request(RequestID(bytes: Array("1".utf8), isString: false, hasEscapes: false)), at: 30)
        table.set(.request(RequestID(bytes: Array("2".utf8), isString: false, hasEscapes: false)), at: 40)
        #expect(table.earliest() == 30)
        table.remove(.request(RequestID(bytes: Array("1".utf8), isString: false, hasEscapes: false)))
        #expect(table.earliest() == 40)
        table.set(.request(RequestID(bytes: Array("2".utf8), isString: false, hasEscapes: false)), at: 90)
        #expect(table.earliest() == 50)
        #expect(table.expire(now: 60) == [.gate])
        #expect(table.earliest() == 90)
        #expect(table.expire(now: 89).isEmpty)
    }
}
