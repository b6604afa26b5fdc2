import Testing
@testable import TollgateKit

@Suite("Budget: forecast")
struct BudgetForecastTests {
    let t0 = epoch2026
    let minute: Int64 = 60_000

    func event(_ minutes: Int64, calls: Int64, cost: Int64 = 0, tool: String = "search", rules: [String] = []) -> SpendEvent {
        SpendEvent(time: t0 + minutes * minute, tool: tool, rules: rules, amount: BudgetUsage(calls: calls, cost: CostUnits(micros: cost)))
    }

    func row(_ forecast: Forecast, _ budget: String) throws -> Forecast.Row {
        try #require(forecast.rows.first { $0.budget == budget }, "no row \(budget)")
    }

    @Test("no window: used over the whole life, burn rate over the last hour, run-out at that rate")
    func noWindow() throws {
        let limits = BudgetLimits(overall: BudgetCaps(calls: 100, cost: try cost("10")))
        let events = [event(0, calls: 20, cost: 2_000_000), event(70, calls: 10, cost: 1_500_000),
                      event(90, calls: 20), event(110, calls: 30)]
        let now = t0 + 120 * minute
        let forecast = Forecast(limits: limits, events: events, now: now)
        let calls = try row(forecast, "budgets.calls")
        #expect(calls.used == 80 && calls.cap == 100 && calls.recent == 60)
        #expect(calls.ratePerHour == 60)
        #expect(calls.outlook == .at(now + 20 * minute), "20 calls left at 60 an hour")
        let spend = try row(forecast, "budgets.cost")
        #expect(spend.used == 3_500_000 && spend.recent == 1_500_000 && spend.ratePerHour == 1.5)
        #expect(spend.outlook == .at(now + 260 * minute), "6.5 left at 1.5 an hour: 4 h 20 min")
        let text = forecast.text()
        #expect(text.contains("budgets.calls"))
        #expect(text.contains("80 (80%)"))
        #expect(text.contains("2026-01-01T02:20:00Z (in 20m)"))
        #expect(text.contains("1.5/h"))
    }

    @Test("a rolling window: old spend leaves, so a steady rate under the cap never runs out")
    func windowNever() throws {
        let limits = BudgetLimits(overall: BudgetCaps(calls: 100), window: try BudgetWindow(parsing: "1h"))
        let now = t0 + 60 * minute
        let forecast = Forecast(limits: limits, events: [event(-30, calls: 500), event(10, calls: 60), event(50, calls: 20)], now: now)
        let calls = try row(forecast, "budgets.calls")
        #expect(calls.used == 80 && calls.recent == 80, "spend from before the window is gone")
        // 80 an hour: 94.7 at 01:11 when the 60 leave, then 88 at 01:51 when the 20 leave, then 80.
        #expect(calls.outlook == .never)
        #expect(forecast.ratePeriodMs == 3_600_000)
    }

    @Test("a rolling window: the crossing before, or after, old spend leaves")
    func windowCrossing() throws {
        let limits = BudgetLimits(overall: BudgetCaps(calls: 100), window: try BudgetWindow(parsing: "1h"))
        let now = t0 + 60 * minute
        let forecast = Forecast(limits: limits, events: [event(50, calls: 90)], now: now)
        // 90 an hour: 10 left after 6 min 40 s, well before the 90 leave at 01:51.
        #expect(try row(forecast, "budgets.calls").outlook == .at(now + 400_000))
        let crossingAfterExpiry = Forecast(limits: limits, events: [event(0, calls: 30), event(59, calls: 60)], now: now)
        // 90 an hour: 91.5 at 01:01 when the 30 leave, so 60 left inside; 40 more takes 26 min 40 s.
        #expect(try row(crossingAfterExpiry, "budgets.calls").outlook == .at(now + 1_600_000))
    }

    @Test("exhausted, idle and uncapped rows; rule and per-tool budgets; JSON")
    func rows() throws {
        let limits = BudgetLimits(rules: [RuleBudget(rule: "git_*", caps: BudgetCaps(calls: 5), per: .tool),
                                          RuleBudget(rule: "idle", caps: BudgetCaps(calls: 5))])
        let now = t0 + 60 * minute
        let forecast = Forecast(limits: limits, events: [event(30, calls: 5, tool: "git_log", rules: ["git_*"]),
                                                         event(40, calls: 1, tool: "git_diff", rules: ["git_*"])], now: now)
        #expect(try row(forecast, "budgets.calls").outlook == .uncapped)
        #expect(try row(forecast, "tools.git_*.budget[git_log].calls").outlook == .exhausted)
        #expect(try row(forecast, "tools.git_*.budget[git_diff].calls").outlook == .at(now + 4 * 3_600_000))
        #expect(try row(forecast, "tools.idle.budget.calls").outlook == .never)
        let json = forecast.json()
        #expect(json["now"] == "2026-01-01T01:00:00Z")
        #expect(json["window"] == .null)
        let entries = try #require(json["budgets"]?.arrayValue)
        let diff = try #require(entries.first { $0["budget"] == "tools.git_*.budget[git_diff].calls" })
        #expect(diff["used"] == 1 && diff["cap"] == 5 && diff["ratePerHour"] == 1)
        #expect(diff["runsOut"] == "2026-01-01T05:00:00Z" && diff["runsOutMs"] == .number(String(now + 4 * 3_600_000)))
        #expect(entries.first { $0["budget"] == "tools.git_*.budget[git_log].calls" }?["runsOut"] == "exhausted")
        #expect(entries.first { $0["budget"] == "budgets.calls" }?["cap"] == .null)
    }

    @Test("a ledger's forecast matches the in-memory one for the same calls")
    func ledgerForecast() throws {
        let directory = TemporaryDirectory()
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10))
        let ledger = try Ledger(path: directory.file("ledger"), limits: limits, now: t0)
        var state = BudgetState(limits: limits)
        for index in 0..<4 {
            _ = try ledger.reserve(BudgetCall(tool: "a"), now: t0 + Int64(index) * minute)
            _ = state.reserve(BudgetCall(tool: "a"), now: t0 + Int64(index) * minute)
        }
        let now = t0 + 10 * minute
        #expect(try ledger.forecast(now: now) == state.forecast(now: now))
        #expect(try Ledger.forecast(path: directory.file("ledger"), limits: limits, now: now) == state.forecast(now: now))
        #expect(try row(state.forecast(now: now), "budgets.calls").outlook == .at(now + 90 * minute), "6 left at 4 an hour")
    }
}
