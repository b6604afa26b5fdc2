import Testing
@testable import TollgateKit

@Suite("BudgetState: new settings while calls run")
struct BudgetReconfigureTests {
    @Test("each budget that stays keeps its spend (rules and per-tool budgets by name); a reservation made before settles into the new budgets")
    func carried() throws {
        var state = BudgetState(limits: BudgetLimits(overall: BudgetCaps(calls: 10, resultTokens: 1000), rules: [
            RuleBudget(rule: "git_*", caps: BudgetCaps(calls: 5)),
            RuleBudget(rule: "fs_*", caps: BudgetCaps(calls: 5), per: .tool),
        ]))
        _ = state.reserve(BudgetCall(tool: "git_log", rules: [0]), now: 1)
        _ = state.reserve(BudgetCall(tool: "fs_read", rules: [1]), now: 2)
        guard case .reserved(let inFlight, _) = state.reserve(BudgetCall(tool: "fs_read", rules: [1]), now: 3) else {
            Issue.record("not reserved")
            return
        }
        // New order of rules, a new one in front, new caps.
        let limits = BudgetLimits(overall: BudgetCaps(calls: 4, resultTokens: 1000), rules: [
            RuleBudget(rule: "read_*", caps: BudgetCaps(calls: 1)),
            RuleBudget(rule: "fs_*", caps: BudgetCaps(calls: 2), per: .tool),
            RuleBudget(rule: "git_*", caps: BudgetCaps(calls: 1)),
        ])
        let reconfigured = state.reconfigure(to: limits, carrying: [inFlight])
        let carried = try #require(reconfigured)
        #expect(state.usage(.overall, now: 4).calls == 3)
        #expect(state.usage(.rule("git_*"), now: 4).calls == 1)
        #expect(state.usage(.tool(rule: "fs_*", tool: "fs_read"), now: 4).calls == 2)
        #expect(!state.reserve(BudgetCall(tool: "fs_read", rules: [1]), now: 5).isReserved, "fs_read has spent its new cap of 2")
        _ = state.settle(carried[0], resultTokens: 300, now: 6)
        #expect(state.usage(.overall, now: 6).resultTokens == 300, "the call in flight settled into the new overall budget")
        let window = try BudgetWindow(parsing: "1h")
        let refused = state.reconfigure(to: BudgetLimits(overall: BudgetCaps(calls: 4), window: window), carrying: [])
        #expect(refused == nil, "a new window is refused")
    }
}
