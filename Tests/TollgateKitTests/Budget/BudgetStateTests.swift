import Testing
@testable import TollgateKit

@Suite("Budget: state (caps, scopes, windows, thresholds)")
struct BudgetStateTests {
    let t0 = epoch2026

    @Test("budgets.calls denies exactly the first call past the cap")
    func callsCap() {
        var state = BudgetState(limits: BudgetLimits(overall: BudgetCaps(calls: 3)))
        let call = BudgetCall(tool: "echo")
        for _ in 0..<3 { #expect(state.reserve(call, now: t0).isReserved) }
        let refusal = state.reserve(call, now: t0).refusal
        #expect(refusal == BudgetExhausted(scope: .overall, counter: .calls, used: 3, cap: 3, requested: 1, resetsAt: nil))
        #expect(refusal?.budget == "budgets.calls")
        #expect(state.usage(.overall, now: t0).calls == 3, "a refused call counts nothing")
    }

    @Test("budgets.cost: a call whose cost would cross the cap is denied; exact decimals")
    func costCap() throws {
        let limits = BudgetLimits(overall: BudgetCaps(cost: try cost("1")),
                                  rules: [RuleBudget(rule: "search", cost: try cost("0.1")), RuleBudget(rule: "free")])
        var state = BudgetState(limits: limits)
        let search = BudgetCall(tool: "search", rules: [0])
        for index in 0..<10 { #expect(state.reserve(search, now: t0).isReserved, "call \(index + 1): 10 × 0.1 is exactly 1") }
        let refusal = try #require(state.reserve(search, now: t0).refusal)
        #expect(refusal.counter == .cost && refusal.used == 1_000_000 && refusal.requested == 100_000)
        #expect(refusal.message == "the budget budgets.cost is exhausted: 1 of 1 used, this call costs 0.1")
        #expect(state.reserve(BudgetCall(tool: "free", rules: [1]), now: t0).isReserved, "a call of cost 0 still passes")
    }

    @Test("budgets.resultTokens: calls pass while tokens are left; the first after the cap is denied")
    func resultTokensCap() {
        var state = BudgetState(limits: BudgetLimits(overall: BudgetCaps(resultTokens: 1000)))
        let call = BudgetCall(tool: "read")
        let first = state.reserve(call, now: t0).reservation!
        _ = state.settle(first, resultTokens: 600, now: t0)
        let second = state.reserve(call, now: t0).reservation!
        _ = state.settle(second, resultTokens: 600, now: t0)
        #expect(state.reserve(call, now: t0).refusal?.counter == .resultTokens)
        #expect(state.usage(.overall, now: t0).resultTokens == 1200)
    }

    @Test("a glob rule's budget is shared by its tools; per tool each tool gets its own")
    func sharedVersusPerTool() {
        let limits = BudgetLimits(rules: [
            RuleBudget(rule: "git_*", caps: BudgetCaps(calls: 2)),
            RuleBudget(rule: "fs_*", caps: BudgetCaps(calls: 2), per: .tool),
        ])
        var state = BudgetState(limits: limits)
        #expect(state.reserve(BudgetCall(tool: "git_log", rules: [0]), now: t0).isReserved)
        #expect(state.reserve(BudgetCall(tool: "git_diff", rules: [0]), now: t0).isReserved)
        #expect(state.reserve(BudgetCall(tool: "git_show", rules: [0]), now: t0).refusal?.scope == .rule("git_*"))

        for _ in 0..<2 { #expect(state.reserve(BudgetCall(tool: "fs_read", rules: [1]), now: t0).isReserved) }
        for _ in 0..<2 { #expect(state.reserve(BudgetCall(tool: "fs_list", rules: [1]), now: t0).isReserved) }
        let refusal = state.reserve(BudgetCall(tool: "fs_read", rules: [1]), now: t0).refusal
        #expect(refusal?.scope == .tool(rule: "fs_*", tool: "fs_read"))
        #expect(refusal?.budget == "tools.fs_*.budget[fs_read].calls")
        #expect(state.usage(.overall, now: t0).calls == 6, "every call also counts overall")
    }

    @Test("the overall budget is checked first and tied rules all apply; cost is the highest of them")
    func tiedRules() throws {
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10), rules: [
            RuleBudget(rule: "a*", caps: BudgetCaps(calls: 5), cost: try cost("2")),
            RuleBudget(rule: "ab*", caps: BudgetCaps(calls: 1), cost: try cost("3")),
        ])
        var state = BudgetState(limits: limits)
        let reservation = try #require(state.reserve(BudgetCall(tool: "abc", rules: [0, 1]), now: t0).reservation)
        #expect(reservation.amount.cost == 3_000_000)
        #expect(state.reserve(BudgetCall(tool: "abc", rules: [0, 1]), now: t0).refusal?.scope == .rule("ab*"))
        #expect(state.usage(.rule("a*"), now: t0).calls == 1)
    }

    @Test("release takes a call back; settle adds tokens; a forwarded call stays counted")
    func releaseAndSettle() {
        var state = BudgetState(limits: BudgetLimits(overall: BudgetCaps(calls: 1)))
        let call = BudgetCall(tool: "echo")
        let reservation = state.reserve(call, now: t0).reservation!
        #expect(!state.reserve(call, now: t0).isReserved)
        state.release(reservation, now: t0 + 5)
        #expect(state.usage(.overall, now: t0 + 5).calls == 0)
        #expect(state.reserve(call, now: t0 + 5).isReserved)
    }

    @Test("a rolling window lets old spend go: counted for at least the window, at most one bucket more")
    func windows() throws {
        let limits = BudgetLimits(overall: BudgetCaps(calls: 2), window: try BudgetWindow(parsing: "1h"))
        var state = BudgetState(limits: limits)
        let call = BudgetCall(tool: "echo")
        let first = t0 + 30_000 // 00:00:30, bucket 00:00–00:01
        #expect(state.reserve(call, now: first).isReserved)
        #expect(state.reserve(call, now: t0 + 600_000).isReserved) // 00:10
        let refusal = try #require(state.reserve(call, now: first + 3_600_000).refusal)
        #expect(refusal.resetsAt == t0 + 3_660_000, "the first bucket ends 00:01 and leaves the window at 01:01")
        #expect(!state.reserve(call, now: t0 + 3_659_999).isReserved)
        #expect(state.reserve(call, now: t0 + 3_660_000).isReserved)
        #expect(!state.reserve(call, now: t0 + 3_660_000).isReserved)
        #expect(state.usage(.overall, now: t0 + 4_260_000).calls == 1, "00:10 left at 01:11")
        let denial = Denial.budgetExhausted(refusal, tool: "echo")
        #expect(denial.details["resetsAt"] == .string("2026-01-01T01:01:00Z"))
        #expect(denial.code == .budgetExhausted && denial.rule == "budgets")
    }

    @Test("a release after its bucket left the window changes nothing")
    func lateRelease() throws {
        var state = BudgetState(limits: BudgetLimits(overall: BudgetCaps(calls: 5), window: try BudgetWindow(parsing: "1h")))
        let reservation = state.reserve(BudgetCall(tool: "x"), now: t0).reservation!
        _ = state.reserve(BudgetCall(tool: "x"), now: t0 + 7_200_000)
        state.release(reservation, now: t0 + 7_200_000)
        #expect(state.usage(.overall, now: t0 + 7_200_000).calls == 1)
    }

    @Test("50%, 80% and 100% are reported once each, per budget and counter")
    func thresholds() {
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10, resultTokens: 1000),
                                  rules: [RuleBudget(rule: "s", caps: BudgetCaps(calls: 4))])
        var state = BudgetState(limits: limits)
        var seen: [String] = []
        func call(_ tool: String, rules: [Int]) {
            let decision = state.reserve(BudgetCall(tool: tool, rules: rules), now: t0)
            seen += decision.crossings.map { "\($0.budget) \($0.percent)" }
            if let reservation = decision.reservation {
                seen += state.settle(reservation, resultTokens: 100, now: t0).map { "\($0.budget) \($0.percent)" }
            }
        }
        for _ in 0..<5 { call("s", rules: [0]) }
        for _ in 0..<7 { call("o", rules: []) }
        #expect(seen == [
            "tools.s.budget.calls 50", "tools.s.budget.calls 80", "tools.s.budget.calls 100",
            "budgets.calls 50", "budgets.resultTokens 50", "budgets.calls 80", "budgets.resultTokens 80",
            "budgets.calls 100", "budgets.resultTokens 100",
        ])
        // A released reservation was never spent: its levels are forgotten, so the spend that
        // really reaches them is reported (once).
        let extra = BudgetState(limits: BudgetLimits(overall: BudgetCaps(calls: 2)))
        var again = extra
        let first = again.reserve(BudgetCall(tool: "x"), now: t0)
        #expect(first.crossings.map(\.percent) == [50])
        again.release(first.reservation!, now: t0)
        #expect(again.reserve(BudgetCall(tool: "x"), now: t0).crossings.map(\.percent) == [50])
        #expect(again.reserve(BudgetCall(tool: "x"), now: t0).crossings.map(\.percent) == [80, 100])
        let line = BudgetCrossing(scope: .overall, counter: .cost, percent: 80, used: 8_100_000, cap: 10_000_000).message
        #expect(line == "budget budgets.cost reached 80%: 8.1 of 10 used")
    }

    @Test("sampling: a request over the per-request cap or over what is left is refused, never lowered; refunds on settle")
    func sampling() {
        let limits = BudgetLimits(overall: BudgetCaps(samplingTokens: 5000), samplingMaxTokensPerRequest: 2000)
        var state = BudgetState(limits: limits)
        #expect(state.reserveSampling(maxTokens: 2001, now: t0) == .overPerRequest(limit: 2000))
        guard case .granted(let first, _) = state.reserveSampling(maxTokens: 2000, now: t0) else { Issue.record("refused"); return }
        #expect(first.maxTokens == 2000 && !first.isLowered)
        _ = state.settleSampling(first, tokens: 500, now: t0 + 1)
        #expect(state.usage(.overall, now: t0 + 1).samplingTokens == 500)
        guard case .granted = state.reserveSampling(maxTokens: 2000, now: t0 + 2) else { Issue.record("refused"); return }
        guard case .granted = state.reserveSampling(maxTokens: 2000, now: t0 + 3) else { Issue.record("refused"); return }
        guard case .exhausted(let refusal, _) = state.reserveSampling(maxTokens: 501, now: t0 + 4) else { Issue.record("granted"); return }
        #expect(refusal.counter == .samplingTokens && refusal.used == 4500)
        guard case .granted = state.reserveSampling(maxTokens: 500, now: t0 + 5) else { Issue.record("the last 500 fit"); return }
        #expect(state.usage(.overall, now: t0 + 5).samplingTokens == 5000)
        #expect(state.usage(.overall, now: t0 + 5).calls == 0, "sampling is not a tool call")
    }

    @Test("events from elsewhere apply through the current limits by rule name; unknown rules are ignored")
    func applyEvents() {
        let limits = BudgetLimits(rules: [RuleBudget(rule: "git_*", caps: BudgetCaps(calls: 10))])
        var state = BudgetState(limits: limits)
        _ = state.apply(SpendEvent(time: t0, tool: "git_log", rules: ["git_*"], amount: BudgetUsage(calls: 3)))
        _ = state.apply(SpendEvent(time: t0, tool: "old", rules: ["gone_*"], amount: BudgetUsage(calls: 2)))
        #expect(state.usage(.rule("git_*"), now: t0).calls == 3)
        #expect(state.usage(.overall, now: t0).calls == 5)
    }

    @Test("per-tool budgets are bounded: past the limit, new tools share an overflow budget")
    func boundedToolScopes() {
        var state = BudgetState(limits: BudgetLimits(rules: [RuleBudget(rule: "*", caps: BudgetCaps(calls: 1), per: .tool)]))
        for index in 0..<BudgetState.maxToolScopes {
            #expect(state.reserve(BudgetCall(tool: "t\(index)", rules: [0]), now: t0).isReserved)
        }
        #expect(state.reserve(BudgetCall(tool: "extra1", rules: [0]), now: t0).isReserved)
        #expect(state.reserve(BudgetCall(tool: "extra2", rules: [0]), now: t0).refusal?.scope == .tool(rule: "*", tool: "*"))
        #expect(state.scopes.count == BudgetState.maxToolScopes + 2)
    }
}

@Suite("Budget state: bounds on names")
struct BudgetStateNameBoundTests {
    let t0 = epoch2026

    @Test("routes are bounded: past maxRoutes, further tools share one route per set of rules, counted alike")
    func boundedRoutes() {
        var state = BudgetState(limits: BudgetLimits(overall: BudgetCaps(calls: 100_000), rules: [RuleBudget(rule: "*", caps: BudgetCaps(calls: 100_000))]))
        for index in 0..<(BudgetState.maxRoutes + 500) {
            #expect(state.reserve(BudgetCall(tool: "t\(index)", rules: [0]), now: t0).isReserved)
        }
        #expect(state.routes.count <= BudgetState.maxRoutes + 1, "\(state.routes.count) routes")
        #expect(state.usage(.overall, now: t0).calls == Int64(BudgetState.maxRoutes + 500), "every call still counts")
        #expect(state.usage(.rule("*"), now: t0).calls == Int64(BudgetState.maxRoutes + 500))
    }

    @Test("a name over maxToolNameBytes gets no route, per-tool budget or rate bucket of its own: it shares the overflow ones")
    func longNamesShare() throws {
        let limits = BudgetLimits(rules: [RuleBudget(rule: "*", caps: BudgetCaps(calls: 1), per: .tool, rate: RateLimit(rate: try rate("1/min")))])
        var state = BudgetState(limits: limits)
        let long = String(repeating: "n", count: BudgetState.maxToolNameBytes + 1)
        #expect(state.reserve(BudgetCall(tool: long + "1", rules: [0]), now: t0).isReserved)
        #expect(state.reserve(BudgetCall(tool: long + "2", rules: [0]), now: t0).refusal?.scope == .tool(rule: "*", tool: "*"))
        #expect(state.routes.count == 2 && state.scopes.count == 2, "sampling and overflow routes; overall and overflow budgets")
        var rates = RateLimiter(limits: limits)
        #expect(rates.take(BudgetCall(tool: long + "1", rules: [0]), now: 0) == .allowed)
        if case .limited(_, let scope, _) = rates.take(BudgetCall(tool: long + "2", rules: [0]), now: 0) {
            #expect(scope == .tool(rule: "*", tool: long + "2"), "the shared bucket is empty")
        } else {
            Issue.record("the second long name had a bucket of its own")
        }
        #expect(state.reserve(BudgetCall(tool: "short", rules: [0]), now: t0).isReserved, "short names keep their own")
    }
}
