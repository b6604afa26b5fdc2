import Testing
@testable import TollgateKit

/// Budget scopes with a ledger: processes of different agents share one file but count their
/// own caps; a global rule budget is shared; compaction and `budget show` keep scopes apart.
@Suite("Spend scopes in a ledger")
struct SpendScopeTests {
    private func limits(agent: String) -> BudgetLimits {
        BudgetLimits(overall: BudgetCaps(calls: 3), window: BudgetWindow(lengthMs: 86_400_000),
                     rules: [RuleBudget(rule: "echo", caps: BudgetCaps(calls: 5), spendScope: SpendScope.globalName)],
                     spendScope: "agent:\(agent)")
    }

    private let echo = BudgetCall(tool: "echo", rules: [0])

    @Test("two agents on one ledger: 3 calls each, the shared rule budget of 5 counted across both")
    func twoAgents() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("budgets.ledger")
        let alice = try Ledger(path: path, limits: limits(agent: "alice"), now: epoch2026)
        let bob = try Ledger(path: path, limits: limits(agent: "bob"), now: epoch2026)
        #expect(try alice.reserveMany(echo, count: 4, now: epoch2026) == 3)
        #expect(try bob.reserveMany(echo, count: 4, now: epoch2026) == 2)
        #expect(try bob.reserve(echo, now: epoch2026).refusal?.budget == "tools.echo.budget.calls")
        // A third process replays the file into its own scope.
        let carol = try Ledger(path: path, limits: limits(agent: "carol"), now: epoch2026)
        #expect(try carol.reserve(echo, now: epoch2026).refusal?.budget == "tools.echo.budget.calls")
        let line = try fileLines(path).first { $0.contains(#""k":"reserve""#) } ?? ""
        #expect(line.contains(#""scopes":["agent:alice","global"]"#), "\(line)")
        // Compaction keeps each agent's spend in its scope.
        try alice.compact(now: epoch2026 + 1)
        let again = try Ledger(path: path, limits: limits(agent: "alice"), now: epoch2026 + 2)
        #expect(try again.reserve(echo, now: epoch2026 + 2).refusal?.budget == "budgets.calls")
    }

    @Test("budget show reads every scope: rows per agent for the scoped budget, one global row for the shared one")
    func forecastByScope() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("budgets.ledger")
        _ = try Ledger(path: path, limits: limits(agent: "alice"), now: epoch2026).reserveMany(echo, count: 2, now: epoch2026)
        _ = try Ledger(path: path, limits: limits(agent: "bob"), now: epoch2026).reserveMany(echo, count: 1, now: epoch2026)
        var unnamed = limits(agent: "x")
        unnamed.spendScope = ""
        let forecast = try Ledger.forecast(path: path, limits: unnamed, now: epoch2026 + 1)
        let calls = forecast.rows.filter { $0.counter == .calls }.map { "\($0.spendScope) \($0.budget) \($0.used)" }
        #expect(calls.sorted() == ["agent:alice budgets.calls 2", "agent:bob budgets.calls 1", "global tools.echo.budget.calls 3"], "\(calls)")
        #expect(forecast.only(spendScope: "agent:bob").rows.map(\.used) == [1])
        #expect(forecast.text().contains("agent:alice"))
    }

    @Test("events without scopes count as global; a scoped state ignores them for its scoped budgets")
    func legacyEvents() {
        var state = BudgetState(limits: limits(agent: "alice"))
        _ = state.apply(SpendEvent(time: epoch2026, tool: "echo", rules: ["echo"], amount: BudgetUsage(calls: 2)))
        #expect(state.usage(.overall, now: epoch2026).calls == 0)
        #expect(state.usage(.rule("echo"), now: epoch2026).calls == 2)
    }
}
