import Testing
@testable import TollgateKit

private func call(_ id: String, _ tool: String = "sleep") -> String { TwinLine.call(id, tool) }

/// The outcomes a ``TimingGate`` learned.
private func completions(_ session: any TwinSession) -> [CallOutcome]? {
    (session.gate as? TimingGate)?.completions.map(\.outcome)
}

@Suite("Both sessions: call timeouts and the gate's tick")
struct SessionTimerTests {
    @Test("a pass-through session sets no timer and asks for no wake-up", arguments: Twin.allCases)
    func passThroughHasNoTimers(_ twin: Twin) throws {
        var session = try twin.session()
        #expect(!session.usesTimers)
        _ = session.fromClient(call("1"), at: 0)
        #expect(session.nextDeadline == nil)
        #expect(session.takeWakeRequest() == false)
        #expect(session.fired(at: 1_000_000).isEmpty)
    }

    @Test("a forwarded call with a timeout sets its deadline and asks to wake the waiter; an untimed call sets none",
          arguments: Twin.allCases)
    func deadlineSet(_ twin: Twin) throws {
        var session = try twin.session(gate: TimingGate(tickInterval: nil))
        #expect(session.armTimer() == nil)
        #expect(!session.fromClient(call("7"), at: 100).toServer.isEmpty)
        #expect(session.nextDeadline == 1100)
        let wake = session.takeWakeRequest()
        #expect(wake, "the waiter sleeps forever: wake it")
        #expect(session.takeWakeRequest() == false, "reading clears it")
        #expect(session.armTimer() == 1100)
        _ = session.fromClient(call("8"), at: 200)
        #expect(session.takeWakeRequest() == false, "a later deadline needs no wake-up")
        #expect(session.nextDeadline == 1100)
        _ = session.fromClient(call("9", "echo"), at: 300)
        #expect(session.timers.count == 2, "echo has no timeout")
    }

    @Test("expiry: a timeout denial for the client under its exact id bytes, notifications/cancelled under the id the server knows, the late response dropped",
          arguments: Twin.allCases)
    func expiry(_ twin: Twin) throws {
        var session = try twin.session(gate: TimingGate(tickInterval: nil))
        #expect(session.usesTimers)
        let id = #""a\/b""#
        let sent = session.fromClient(call(id), at: 0).toServer
        let sentID = try #require(splitLines(sent).first.flatMap(idText(ofLine:)))
        #expect(session.armTimer() == 1000)
        #expect(session.fired(at: 999).isEmpty, "not yet")
        let fired = session.fired(at: 1000)
        #expect(session.inFlight.count == 1, "the call is no longer in flight; its late answer is awaited")

        let answers = try fired.clientLines()
        #expect(answers.count == 1)
        #expect(idText(ofLine: Array(fired.toClient.dropLast())) == id, "the client's id bytes")
        let answer = try #require(answers.first)
        #expect(answer["result"]?["isError"] == true)
        let entry = answer["result"]?["_meta"]?[Denial.metaKey]
        #expect(entry?["code"] == "timeout")
        #expect(entry?["rule"] == "tools.sleep.timeoutSeconds")
        #expect(entry?["timeoutMs"]?.numberText == "1000")
        #expect(entry?["reason"]?.stringValue?.contains("within 1 s") == true, "\(answer)")

        #expect(text(fired.toServer) == #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":\#(sentID),"reason":"Tollgate: the request timed out after 1 s"}}"# + "\n")
        #expect(fired.logs.count == 1 && fired.logs[0].contains("timed out sleep"), "\(fired.logs)")
        #expect(completions(session) == [.timedOut], "budgets count the call as spent")

        let answerLine = try TwinLine.answer(to: sent)
        let late = session.fromServer(answerLine, at: 3000)
        #expect(late.toClient.isEmpty, "the late response is dropped")
        #expect(late.logs.first?.contains("late response") == true, "\(late.logs)")
        let unknown = session.fromServer(answerLine, at: 3001)
        #expect(unknown.toClient.isEmpty, "a second late response answers nothing: dropped")
        #expect(completions(session)?.count == 1)
    }

    @Test("an answer in time cancels the timer; the gate learns the result", arguments: Twin.allCases)
    func answeredInTime(_ twin: Twin) throws {
        var session = try twin.session(gate: TimingGate(tickInterval: nil))
        let sent = session.fromClient(call("1"), at: 0).toServer
        let answered = session.fromServer(try TwinLine.answer(to: sent), at: 500)
        let answer = try answered.clientLines()
        #expect(answer.count == 1 && answer.first?["id"] == 1)
        #expect(answer.first?["result"] == (try json(#"{"content":[{"type":"text","text":"done"}]}"#)), "the server's result")
        #expect(answered.logs.isEmpty && answered.toServer.isEmpty)
        #expect(session.nextDeadline == nil)
        #expect(session.fired(at: 5000).isEmpty, "no timeout fires for an answered call")
        #expect(completions(session) == [.result(isError: false, bytes: 43)])
    }

    @Test("several calls expire in deadline order in one tick", arguments: Twin.allCases)
    func severalExpire(_ twin: Twin) throws {
        var session = try twin.session(gate: TimingGate(tickInterval: nil))
        let second = session.fromClient(call("2"), at: 20).toServer
        let first = session.fromClient(call("1"), at: 10).toServer
        _ = session.fromClient(call("3"), at: 30)
        let fired = session.fired(at: 1025)
        #expect(try fired.clientLines().map { $0["id"]?.numberText } == ["1", "2"])
        let sentIDs = [first, second].map { splitLines($0).first.flatMap(idText(ofLine:)) }
        #expect(try fired.serverLines().map { ($0["params"]?["requestId"]?.serialized).map(text) } == sentIDs)
        #expect(session.nextDeadline == 1030)
    }

    @Test("the server going away clears the call timers; every request is answered once", arguments: Twin.allCases)
    func serverGone(_ twin: Twin) throws {
        var session = try twin.session(gate: TimingGate(tickInterval: nil))
        _ = session.fromClient(call("1"), at: 0)
        #expect(session.timers.count == 1)
        let gone = try session.serverGone(because: "exited").clientLines()
        #expect(gone.filter { $0["id"] != nil }.map { $0["id"] } == [1], "\(gone)")
        #expect(session.nextDeadline == nil && session.timers.isEmpty)
        #expect(session.fired(at: 5000).isEmpty)
    }

    @Test("the gate's tick runs one interval after a call was decided or answered, once", arguments: Twin.allCases)
    func gateTick(_ twin: Twin) throws {
        var session = try twin.session(gate: TimingGate(timedTool: "none", tickInterval: 50))
        let sent = session.fromClient(call("1", "echo"), at: 100).toServer
        #expect(session.nextDeadline == 150)
        _ = session.fromClient(call("2", "echo"), at: 120)
        #expect(session.nextDeadline == 150, "one tick pending at a time")
        #expect(session.fired(at: 149).isEmpty)
        let ticked = session.fired(at: 150)
        #expect(ticked.logs == ["tick 1"] && ticked.toClient.isEmpty)
        #expect(session.nextDeadline == nil)
        _ = session.fromServer(try TwinLine.answer(to: sent), at: 400)
        #expect(session.nextDeadline == 450)
        _ = session.fromClient(call("3", "forbidden"), at: 420)
        #expect(session.fired(at: 460).logs == ["tick 2"])
        #expect((session.gate as? TimingGate)?.ticks == 2)
    }
}
