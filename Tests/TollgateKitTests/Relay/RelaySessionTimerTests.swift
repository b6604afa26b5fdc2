import Testing
@testable import TollgateKit

private func call(id: String, name: String = "sleep") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{"ms":5000}}}"#
}

private func response(id: String) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"result":{"content":[{"type":"text","text":"done"}]}}"#
}

extension RelaySession {
    fileprivate mutating func client(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { clientLine($0, now: now) }
    }

    fileprivate mutating func server(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { serverLine($0, now: now) }
    }

    fileprivate var timingGate: TimingGate? { gate as? TimingGate }
}

/// Splits newline-terminated lines and parses each.
private func lines(_ bytes: [UInt8]) throws -> [JSONValue] {
    try bytes.split(separator: 0x0A).map { try json(Array($0)) }
}

@Suite("RelaySession: timers")
struct RelaySessionTimerTests {
    @Test("a pass-through session sets no timer and asks for no wake-up")
    func passThroughHasNoTimers() {
        var session = RelaySession()
        #expect(!session.usesTimers)
        _ = session.client(call(id: "1"), at: 0)
        #expect(session.nextDeadline == nil)
        #expect(session.takeWakeRequest() == false)
        #expect(session.tick(now: 1_000_000).isEmpty)
    }

    @Test("a forwarded call with a timeout sets its deadline and asks to wake the waiter")
    func deadlineSet() {
        var session = RelaySession(gate: TimingGate(tickInterval: nil))
        #expect(session.armTimer() == nil)
        #expect(session.client(call(id: "7"), at: 100).forward != nil)
        #expect(session.nextDeadline == 1100)
        let wake = session.takeWakeRequest()
        #expect(wake, "the waiter sleeps forever: wake it")
        #expect(session.takeWakeRequest() == false, "reading clears it")
        #expect(session.armTimer() == 1100)
        _ = session.client(call(id: "8"), at: 200)
        #expect(session.takeWakeRequest() == false, "a later deadline needs no wake-up")
        #expect(session.nextDeadline == 1100)
        _ = session.client(call(id: "9", name: "echo"), at: 300)
        #expect(session.timers.count == 2, "echo has no timeout")
    }

    @Test("expiry: a timeout denial for the client, notifications/cancelled with the exact id bytes for the server, the late response dropped")
    func expiry() throws {
        var session = RelaySession(gate: TimingGate(tickInterval: nil))
        let id = #""a\/b""#
        _ = session.client(call(id: id), at: 0)
        #expect(session.tick(now: 999).isEmpty, "not yet")
        let fired = session.tick(now: 1000)
        #expect(session.pending.count == 0)

        let answer = try #require(try lines(fired.toClient).first)
        #expect(try lines(fired.toClient).count == 1)
        #expect(idText(ofLine: Array(fired.toClient.dropLast())) == id, "the client's id bytes")
        #expect(answer["result"]?["isError"] == true)
        let entry = answer["result"]?["_meta"]?[Denial.metaKey]
        #expect(entry?["code"] == "timeout")
        #expect(entry?["rule"] == "tools.sleep.timeoutSeconds")
        #expect(entry?["timeoutMs"]?.numberText == "1000")
        #expect(entry?["reason"]?.stringValue?.contains("within 1 s") == true, "\(answer)")

        let cancel = String(decoding: fired.toServer, as: UTF8.self)
        #expect(cancel == #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a\/b","reason":"Tollgate: the request timed out after 1 s"}}"# + "\n")
        #expect(fired.logs.count == 1 && fired.logs[0].contains("timed out sleep"), "\(fired.logs)")
        #expect(session.timingGate?.completions.map(\.outcome) == [.timedOut], "budgets count the call as spent")

        let late = session.server(response(id: id), at: 3000)
        #expect(late.forward == nil, "the late response is dropped")
        #expect(late.log?.contains("late response") == true)
        let unknown = session.server(response(id: id), at: 3001)
        #expect(unknown.forward == nil, "a second late response answers nothing: dropped")
        #expect(session.timingGate?.completions.count == 1)
    }

    @Test("an answer in time cancels the timer; the gate learns the result")
    func answeredInTime() {
        var session = RelaySession(gate: TimingGate(tickInterval: nil))
        _ = session.client(call(id: "1"), at: 0)
        #expect(session.server(response(id: "1"), at: 500) == .passThrough)
        #expect(session.nextDeadline == nil)
        #expect(session.tick(now: 5000).isEmpty)
        #expect(session.timingGate?.completions.map(\.outcome) == [.result(isError: false, bytes: 43)])
    }

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

    @Test("several calls expire in deadline order in one tick")
    func severalExpire() throws {
        var session = RelaySession(gate: TimingGate(tickInterval: nil))
        _ = session.client(call(id: "2"), at: 20)
        _ = session.client(call(id: "1"), at: 10)
        _ = session.client(call(id: "3"), at: 30)
        let fired = session.tick(now: 1025)
        #expect(try lines(fired.toClient).map { $0["id"]?.numberText } == ["1", "2"])
        #expect(try lines(fired.toServer).map { $0["params"]?["requestId"]?.numberText } == ["1", "2"])
        #expect(session.nextDeadline == 1030)
    }

    @Test("the server going away clears the call timers; every request is answered once")
    func serverGone() throws {
        var session = RelaySession(gate: TimingGate(tickInterval: nil))
        _ = session.client(call(id: "1"), at: 0)
        let replies = session.serverWentAway(because: "gone")
        #expect(try lines(replies).count == 1)
        #expect(session.nextDeadline == nil)
        #expect(session.tick(now: 5000).isEmpty)
    }

    @Test("the gate's tick runs one interval after a call was decided or answered, once")
    func gateTick() {
        var session = RelaySession(gate: TimingGate(timedTool: "none", tickInterval: 50))
        _ = session.client(call(id: "1", name: "echo"), at: 100)
        #expect(session.nextDeadline == 150)
        _ = session.client(call(id: "2", name: "echo"), at: 120)
        #expect(session.nextDeadline == 150, "one tick pending at a time")
        #expect(session.tick(now: 149).isEmpty)
        #expect(session.tick(now: 150).logs == ["tick 1"])
        #expect(session.nextDeadline == nil)
        _ = session.server(response(id: "1"), at: 400)
        #expect(session.nextDeadline == 450)
        _ = session.client(call(id: "3", name: "forbidden"), at: 420)
        #expect(session.tick(now: 460).logs == ["tick 2"])
        #expect(session.timingGate?.ticks == 2)
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
