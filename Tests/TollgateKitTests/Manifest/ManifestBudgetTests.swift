import Testing
@testable import TollgateKit

@Suite("Manifest budgets")
struct ManifestBudgetTests {
    @Test("budgets and rule budget keys load into BudgetLimits parallel to the rules")
    func loads() throws {
        let manifest = try parseManifest("""
            {
              "version": 1,
              "budgets": {"calls": 100, "cost": 2.5, "resultTokens": 50000, "samplingTokens": 9000,
                          "rate": "30/min", "burst": 5, "window": "1d", "ledger": "state/budgets.ledger"},
              "tools": {
                "read": {},
                "git_*": {"budget": {"calls": 10, "cost": 1, "per": "tool"}, "rate": "5/s", "cost": 0.25, "maxResultTokens": 4000},
                "search": {"budget": {"resultTokens": 1000}, "rate": "1/h", "burst": 3}
              }
            }
            """, file: "/etc/tollgate/m.json").get()
        #expect(manifest.budgets.ledger == "/etc/tollgate/state/budgets.ledger")
        let limits = manifest.budgetLimits
        #expect(limits.overall == BudgetCaps(calls: 100, cost: CostUnits(micros: 2_500_000), resultTokens: 50000, samplingTokens: 9000))
        #expect(limits.rate == RateLimit(rate: RateSpec(count: 30, intervalMs: 60_000), burst: 5))
        #expect(limits.window == BudgetWindow(lengthMs: 86_400_000))
        #expect(limits.rules.map(\.rule) == ["read", "git_*", "search"])
        #expect(limits.rules[0] == RuleBudget(rule: "read"))
        #expect(limits.rules[1] == RuleBudget(rule: "git_*", caps: BudgetCaps(calls: 10, cost: CostUnits(units: 1)), per: .tool,
                                              rate: RateLimit(rate: RateSpec(count: 5, intervalMs: 1000)),
                                              cost: CostUnits(micros: 250_000), maxResultTokens: 4000))
        #expect(limits.rules[2].caps == BudgetCaps(resultTokens: 1000))
        #expect(limits.rules[2].rate == RateLimit(rate: RateSpec(count: 1, intervalMs: 3_600_000), burst: 3))
        #expect(!limits.isEmpty)
        let empty = try parseManifest(#"{"version": 1, "budgets": {}, "tools": {"a": {}}}"#).get()
        #expect(empty.budgetLimits.isEmpty)
        #expect(empty.budgets.ledger == nil)
    }

    @Test("bad budget values are reported with file:line, key path and what is expected")
    func badValues() {
        let issues = manifestIssues("""
            {
              "version": 1,
              "budgets": {"calls": -1, "cost": "3", "rate": "30/m", "window": "1w", "ledger": 4, "burts": 3},
              "tools": {
                "a": {"budget": {"calls": 2, "per": "tools"}, "cost": -0.5, "maxResultTokens": 0},
                "b": {"budget": {"per": "rule"}, "burst": 3, "rate": "fast"},
                "c": {"budget": {"calls": 1, "cots": 1}, "maxResultToken": 5, "cost": 0.0000001}
              }
            }
            """)
        let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["budgets.calls"]?.message.contains("whole number") == true)
        #expect(byPath["budgets.cost"]?.message.contains("number of cost units") == true)
        #expect(byPath["budgets.rate"]?.message.contains("write min for minutes") == true)
        #expect(byPath["budgets.window"]?.message.contains("expected a window") == true)
        #expect(byPath["budgets.ledger"]?.message.contains("expected a string") == true)
        #expect(byPath["budgets.burts"]?.message.contains(#"did you mean "burst"?"#) == true)
        #expect(byPath["budgets.burts"]?.line == 3)
        #expect(byPath["tools.a.budget.per"]?.message.contains(#"did you mean "tool"?"#) == true)
        #expect(byPath["tools.a.cost"] != nil)
        #expect(byPath["tools.a.maxResultTokens"]?.message.contains("from 1") == true)
        #expect(byPath["tools.b.budget"]?.message.contains("at least one cap") == true)
        #expect(byPath["tools.b.rate"]?.message.contains("expected a rate") == true)
        #expect(byPath["tools.b.burst"] == nil, "a burst whose rate is wrong is not reported twice")
        #expect(byPath["tools.c.budget.cots"]?.message.contains(#"did you mean "cost"?"#) == true)
        #expect(byPath["tools.c.maxResultToken"]?.message.contains(#"did you mean "maxResultTokens"?"#) == true)
        #expect(byPath["tools.c.cost"]?.message.contains("at most 6 decimals") == true)
        #expect(byPath["tools.c.maxResultToken"]?.line == 7)
        #expect(issues.allSatisfy { $0.file == "test.json" && $0.line > 0 })
    }

    @Test("a burst needs a rate")
    func burstNeedsRate() {
        #expect(manifestIssues(#"{"version": 1, "budgets": {"burst": 3}}"#).map(\.path) == ["budgets.burst"])
        #expect(manifestIssues(#"{"version": 1, "tools": {"a": {"burst": 3}}}"#).map(\.path) == ["tools.a.burst"])
    }
}
