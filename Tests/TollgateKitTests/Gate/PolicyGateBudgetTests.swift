import Synchronization
import Testing
@testable import TollgateKit

/// A clock tests move by hand: monotonic and wall milliseconds.
final class ManualClock: Sendable {
    private let now = Mutex<(monotonic: Int64, wall: Int64)>((0, epoch2026))

    var gateClock: GateClock {
        GateClock(monotonicMilliseconds: { [self] in now.withLock { $0.monotonic } },
                  wallMilliseconds: { [self] in now.withLock { $0.wall } })
    }

    /// Moves both clocks forward.
    func advance(_ milliseconds: Int64) {
        now.withLock { $0.monotonic += milliseconds; $0.wall += milliseconds }
    }
}

/// A budget account whose ledger cannot be used.
struct BrokenLedger: BudgetAccount {
    static let error = LedgerError(path: "/x/budgets.ledger", message: "write: No space left on device")
    func reserve(_ call: BudgetCall, now: Int64) throws(LedgerError) -> BudgetDecision { throw Self.error }
    func settle(_ reservation: BudgetReservation, resultTokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing] { throw Self.error }
    func release(_ reservation: BudgetReservation, now: Int64) throws(LedgerError) { throw Self.error }
    func reserveSampling(maxTokens: Int64, now: Int64) throws(LedgerError) -> SamplingDecision { throw Self.error }
    func settleSampling(_ grant: SamplingGrant, tokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing] { throw Self.error }
    func forecast(now: Int64) throws(LedgerError) -> Forecast { throw Self.error }
    func reconfigure(to limits: BudgetLimits, carrying reservations: [BudgetReservation]) -> [BudgetReservation]? { nil }
}

/// A gate over manifest text with a manual clock and captured diagnostics.
private func budgetGate(_ text: String, clock: ManualClock = ManualClock(), log: LogSink = LogSink(),
                        account: (any BudgetAccount)? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> EffectingGate {
    let loaded = try? parseManifest(text).get()
    let manifest = try #require(loaded, sourceLocation: sourceLocation)
    return EffectingGate(manifest: manifest, diagnostics: log.diagnostics, account: account, clock: clock.gateClock)
}

/// The denial of a verdict, or nil when forwarded.
private func denial(_ verdict: GateVerdict) -> Denial? {
    if case .deny(let denial) = verdict { return denial }
    return nil
}

/// Calls `name` `count` times (ids from `firstID`) and returns the index (0-based) of every denied call.
private func deniedIndices(_ gate: inout EffectingGate, _ name: String, count: Int, firstID: Int = 1) throws -> [Int] {
    var denied: [Int] = []
    for index in 0..<count where denial(gate.decide(try call(name, id: firstID + index))) != nil { denied.append(index) }
    return denied
}

/// A successful result whose one text item has `characters` characters.
private func textResult(_ characters: Int) -> JSONObject {
    ["content": [["type": "text", "text": .string(String(repeating: "word ", count: characters / 5))]], "isError": false]
}

@Suite("Policy gate: budgets")
struct PolicyGateBudgetTests {
    @Test("each cap denies exactly the first call past it: overall calls, rule calls, cost")
    func capsDenyTheFirstCallPast() throws {
        var overall = try budgetGate(#"{"version": 1, "budgets": {"calls": 3}, "tools": {"*": {}}}"#)
        #expect(try deniedIndices(&overall, "a", count: 6) == [3, 4, 5])
        let refused = try #require(denial(overall.decide(try call("b", id: 50))))
        #expect(refused.code == .budgetExhausted)
        #expect(refused.rule == "budgets")
        #expect(refused.details["budget"] == "budgets.calls")
        #expect(refused.details["used"] == .number("3") && refused.details["cap"] == .number("3"))

        var rule = try budgetGate(#"{"version": 1, "tools": {"a": {"budget": {"calls": 2}}, "b": {}}}"#)
        #expect(try deniedIndices(&rule, "a", count: 4) == [2, 3])
        #expect(try deniedIndices(&rule, "b", count: 3, firstID: 10) == [], "another rule's tools are not limited")
        #expect(denial(rule.decide(try call("a", id: 20)))?.rule == "tools.a")

        var priced = try budgetGate(#"{"version": 1, "budgets": {"cost": 1}, "tools": {"a": {"cost": 0.1}, "b": {"cost": 0.3}}}"#)
        #expect(try deniedIndices(&priced, "b", count: 3) == [], "0.9 used")
        #expect(try deniedIndices(&priced, "a", count: 2, firstID: 10) == [1], "0.1 more is exactly 1.0; the next is past it")
        let costDenial = try #require(denial(priced.decide(try call("a", id: 30))))
        #expect(costDenial.details["budget"] == "budgets.cost")
        #expect(costDenial.reason.contains("1 of 1 used"))
    }

    @Test("a glob's budget is shared by its tools, or one per tool with per: tool")
    func perToolVersusShared() throws {
        var shared = try budgetGate(#"{"version": 1, "tools": {"git_*": {"budget": {"calls": 3}}}}"#)
        #expect(try deniedIndices(&shared, "git_log", count: 2) == [])
        #expect(try deniedIndices(&shared, "git_diff", count: 2, firstID: 10) == [1])
        #expect(denial(shared.decide(try call("git_status", id: 20)))?.details["budget"] == "tools.git_*.budget.calls")

        var perTool = try budgetGate(#"{"version": 1, "tools": {"git_*": {"budget": {"calls": 3, "per": "tool"}}}}"#)
        #expect(try deniedIndices(&perTool, "git_log", count: 4) == [3])
        #expect(try deniedIndices(&perTool, "git_diff", count: 4, firstID: 10) == [3])
        let refused = try #require(denial(perTool.decide(try call("git_log", id: 20))))
        #expect(refused.details["budget"] == "tools.git_*.budget[git_log].calls")
        #expect(refused.rule == "tools.git_*")
    }

    @Test("rate_limited carries retryAfterMs; the call passes once that much time has gone by")
    func rateLimited() throws {
        let clock = ManualClock()
        var gate = try budgetGate(#"{"version": 1, "tools": {"a": {"rate": "2/min"}}}"#, clock: clock)
        #expect(try deniedIndices(&gate, "a", count: 2) == [])
        let limited = try #require(denial(gate.decide(try call("a", id: 3))))
        #expect(limited.code == .rateLimited)
        #expect(limited.details["retryAfterMs"] == .number("30000"))
        #expect(limited.details["limit"] == "tools.a.rate")
        clock.advance(29_999)
        #expect(denial(gate.decide(try call("a", id: 4)))?.details["retryAfterMs"] == .number("1"))
        clock.advance(1)
        #expect(denial(gate.decide(try call("a", id: 5))) == nil)

        var burst = try budgetGate(#"{"version": 1, "budgets": {"rate": "1/s", "burst": 3}, "tools": {"*": {}}}"#, clock: clock)
        #expect(try deniedIndices(&burst, "x", count: 5) == [3, 4])
        #expect(denial(burst.decide(try call("y", id: 9)))?.details["limit"] == "budgets.rate")
    }

    @Test("a call refused by a budget takes no rate token, and a rate-limited call counts against no budget")
    func orderOfChecks() throws {
        let clock = ManualClock()
        var gate = try budgetGate(#"{"version": 1, "budgets": {"calls": 2, "rate": "2/min"}, "tools": {"*": {}}}"#, clock: clock)
        #expect(try deniedIndices(&gate, "a", count: 2) == [])
        #expect(denial(gate.decide(try call("a", id: 3)))?.code == .rateLimited)
        clock.advance(60_000)
        #expect(denial(gate.decide(try call("a", id: 4)))?.code == .budgetExhausted)
    }

    @Test("result tokens are settled from the parsed result; once the cap is reached the next call is denied")
    func resultTokens() throws {
        var gate = try budgetGate(#"{"version": 1, "budgets": {"resultTokens": 100}, "tools": {"*": {}}}"#)
        #expect(gate.inspectsResults && gate.observesOutcomes)
        let first = try call("read", id: 1)
        #expect(denial(gate.decide(first)) == nil)
        #expect(gate.callCompleted(first, outcome: .result(isError: false, bytes: 400), result: textResult(200)) == nil)
        let second = try call("read", id: 2)
        #expect(denial(gate.decide(second)) == nil, "about 50 tokens used of 100")
        _ = gate.callCompleted(second, outcome: .result(isError: false, bytes: 400), result: textResult(400))
        let refused = try #require(denial(gate.decide(try call("read", id: 3))))
        #expect(refused.details["budget"] == "budgets.resultTokens")
    }

    @Test("maxResultTokens withholds an oversized result (enforce) or reports it (monitor)")
    func maxResultTokens() throws {
        let manifest = #"{"version": 1, "tools": {"big": {"maxResultTokens": 50}}}"#
        var gate = try budgetGate(manifest)
        let small = try call("big", id: 1)
        #expect(denial(gate.decide(small)) == nil)
        #expect(gate.callCompleted(small, outcome: .result(isError: false, bytes: 100), result: textResult(100)) == nil)
        let large = try call("big", id: 2, stateless: true)
        #expect(denial(gate.decide(large)) == nil)
        let replacement = gate.callCompleted(large, outcome: .result(isError: false, bytes: 5000), result: textResult(4000))
        let replaced = try #require(replacement)
        #expect(replaced["isError"] == true)
        #expect(replaced["resultType"] == "complete")
        let entry = try #require(replaced["_meta"]?[Denial.metaKey])
        #expect(entry["code"] == "result_too_large" && entry["rule"] == "tools.big" && entry["maxResultTokens"] == .number("50"))
        let text = try #require(replaced["content"]?[0]?["text"]?.stringValue)
        #expect(text.contains("withheld") && text.contains("asking for less"))
        #expect(entry["resultTokens"]?.numberText.flatMap { Int($0) }.map { $0 > 50 } == true)

        let log = LogSink()
        var monitor = try budgetGate(#"{"version": 1, "policy": {"mode": "monitor"}, "tools": {"big": {"maxResultTokens": 50}}}"#, log: log)
        let call = try call("big", id: 3)
        _ = monitor.decide(call)
        #expect(monitor.callCompleted(call, outcome: .result(isError: false, bytes: 5000), result: textResult(4000)) == nil)
        #expect(log.lines.contains { $0.hasPrefix("monitor: would withhold the result of big") })
    }

    @Test("monitor mode forwards calls past a cap and reports them")
    func monitorMode() throws {
        let log = LogSink()
        var gate = try budgetGate(#"{"version": 1, "policy": {"mode": "monitor"}, "budgets": {"calls": 1}, "tools": {"*": {}}}"#, log: log)
        #expect(try deniedIndices(&gate, "a", count: 3) == [])
        #expect(log.lines.filter { $0.hasPrefix("monitor: would deny a (budget_exhausted, budgets)") }.count == 2)
    }

    @Test("crossing 50, 80 and 100% is reported once each")
    func crossings() throws {
        let log = LogSink()
        var gate = try budgetGate(#"{"version": 1, "budgets": {"calls": 10}, "tools": {"*": {}}}"#, log: log)
        #expect(try deniedIndices(&gate, "a", count: 12) == [10, 11])
        #expect(log.lines == [
            "budget budgets.calls reached 50%: 5 of 10 used",
            "budget budgets.calls reached 80%: 8 of 10 used",
            "budget budgets.calls reached 100%: 10 of 10 used",
        ])
    }

    @Test("a ledger that cannot be used fails closed")
    func ledgerErrorsFailClosed() throws {
        var gate = try budgetGate(#"{"version": 1, "tools": {"*": {}}}"#, account: BrokenLedger())
        let refused = try #require(denial(gate.decide(try call("a"))))
        #expect(refused.code == .budgetUnavailable)
        #expect(refused.reason.contains("No space left on device"))
        var denied = try budgetGate(#"{"version": 1, "tools": {"a": {"allow": false}}}"#, account: BrokenLedger())
        #expect(denial(denied.decide(try call("a")))?.code == .toolDenied, "the policy decides first")
    }

    @Test("budgets in a shared ledger: a reservation is written before the call is forwarded")
    func ledger() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("budgets.ledger")
        let manifest = try parseManifest(#"{"version": 1, "budgets": {"calls": 2, "ledger": "budgets.ledger"}, "tools": {"*": {}}}"#).get()
        let clock = ManualClock()
        let limits = manifest.budgetLimits
        var first = EffectingGate(manifest: manifest, account: try Ledger(path: path, limits: limits, sync: .never, now: epoch2026),
                                  clock: clock.gateClock)
        var second = EffectingGate(manifest: manifest, account: try Ledger(path: path, limits: limits, sync: .never, now: epoch2026),
                                   clock: clock.gateClock)
        #expect(denial(first.decide(try call("a", id: 1))) == nil)
        #expect(denial(second.decide(try call("a", id: 2))) == nil)
        #expect(denial(first.decide(try call("a", id: 3)))?.code == .budgetExhausted)
        let forecast = try Ledger.forecast(path: path, limits: limits, now: epoch2026)
        #expect(forecast.rows.first { $0.scope == .overall && $0.counter == .calls }?.used == 2)
    }

    @Test("the relay sends the gate's replacement of an oversized result, with the client's id, and parses results only when asked")
    func relayRewritesResults() throws {
        var session = RelaySession(gate: try budgetGate(#"{"version": 1, "tools": {"big": {"maxResultTokens": 20}}}"#))
        let request = #"{"jsonrpc":"2.0","id":"r-1","method":"tools/call","params":{"name":"big","arguments":{}}}"#
        guard case .call? = session.client(request).forward else {
            Issue.record("the call was not forwarded")
            return
        }
        let long = String(repeating: "lorem ipsum ", count: 100)
        let actions = session.server(#"{"jsonrpc":"2.0","id":"r-1","result":{"content":[{"type":"text","text":"\#(long)"}]}}"#)
        guard case .bytes(let line)? = actions.forward else {
            Issue.record("expected a rewritten result, got \(actions)")
            return
        }
        #expect(line.last == 0x0A)
        let reply = try json(line)
        #expect(reply["id"] == "r-1")
        #expect(reply["result"]?["_meta"]?[Denial.metaKey]?["code"] == "result_too_large")

        #expect(session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"big","arguments":{}}}"#).forward != nil)
        let small = session.server(#"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"ok"}]}}"#)
        #expect(small == .passThrough)

        var plain = RelaySession(gate: try budgetGate(#"{"version": 1, "budgets": {"calls": 5}, "tools": {"*": {}}}"#))
        #expect(plain.gate.observesOutcomes && !plain.gate.inspectsResults)
        _ = plain.client(request)
        #expect(plain.server(#"{"jsonrpc":"2.0","id":"r-1","result":{"content":[]}}"#) == .passThrough)
    }

    @Test("a call held for approval and then denied reports no threshold; the call that really crosses it does")
    func heldThenDeniedReportsNothing() throws {
        let log = LogSink()
        var gate = try budgetGate(#"{"version": 1, "budgets": {"calls": 3}, "tools": {"echo": {}, "add": {"approval": "ask"}}}"#, log: log)
        #expect(denial(gate.decide(try call("echo", id: 1))) == nil)
        guard case .hold(let hold) = gate.decide(try call("add", id: 2)) else {
            Issue.record("add must be held for approval")
            return
        }
        #expect(log.lines.filter { $0.hasPrefix("budget ") }.isEmpty, "nothing reported while the call waits: \(log.lines)")
        let refused = gate.approvalDecided(try call("add", id: 2), hold: hold, outcome: ApprovalOutcome(approved: false, source: .client, detail: "decline"))
        #expect(denial(refused)?.code == .approvalDenied)
        #expect(log.lines.filter { $0.hasPrefix("budget ") }.isEmpty, "a denied call is never counted: \(log.lines)")
        #expect(denial(gate.decide(try call("echo", id: 3))) == nil)
        #expect(log.lines.filter { $0.hasPrefix("budget ") } == ["budget budgets.calls reached 50%: 2 of 3 used"], "\(log.lines)")
        guard case .hold(let second) = gate.decide(try call("add", id: 4)) else {
            Issue.record("add must be held for approval")
            return
        }
        let approved = gate.approvalDecided(try call("add", id: 4), hold: second, outcome: ApprovalOutcome(approved: true, source: .client, detail: "accept"))
        #expect(denial(approved) == nil)
        #expect(log.lines.filter { $0.hasPrefix("budget ") } == ["budget budgets.calls reached 50%: 2 of 3 used",
                                                               "budget budgets.calls reached 80%: 3 of 3 used",
                                                               "budget budgets.calls reached 100%: 3 of 3 used"], "\(log.lines)")
    }
}
