/// A manifest described in a few words, for `tollgate check` and the line `tollgate run` writes
/// at start.
extension Manifest {
    /// `12 tool rules (7 allow, 5 deny, 7 with argument schemas)`.
    public var rulesSummary: String {
        let allowing = tools.filter(\.allow).count
        let schemas = tools.filter { $0.arguments != nil }.count
        return "\(tools.count) tool rule\(tools.count == 1 ? "" : "s") (\(allowing) allow, \(tools.count - allowing) deny, \(schemas) with argument schemas)"
    }

    /// `budgets: calls 500, cost 20 per 1d, rate 60/min, 2 rules with their own; ledger /var/…` or
    /// `no budgets`.
    public var budgetsSummary: String {
        var parts: [String] = []
        let caps = budgets.caps
        var overall: [String] = []
        if let calls = caps.calls { overall.append("calls \(calls)") }
        if let cost = caps.cost { overall.append("cost \(cost)") }
        if let tokens = caps.resultTokens { overall.append("result tokens \(tokens)") }
        if let tokens = caps.samplingTokens { overall.append("sampling tokens \(tokens)") }
        if !overall.isEmpty { parts.append(overall.joined(separator: ", ") + (budgets.window.map { " per \($0)" } ?? "")) }
        if let rate = budgets.rate { parts.append("rate \(rate.rate)") }
        let ruled = tools.filter { $0.budget.hasCaps || $0.budget.rate != nil || $0.budget.maxResultTokens != nil }.count
        if ruled > 0 { parts.append("\(ruled) rule\(ruled == 1 ? "" : "s") with limits of \(ruled == 1 ? "its" : "their") own") }
        guard !parts.isEmpty || budgets.ledger != nil || budgets.store != nil else { return "no budgets" }
        var summary = "budgets: " + (parts.isEmpty ? "none" : parts.joined(separator: ", ")) + (budgets.ledger.map { "; ledger \($0)" } ?? "")
        if let store = budgets.store { summary += "; store \(store.endpoint) (namespace \(store.namespace))" }
        if !SpendScope.isGlobal(budgets.spendScope) { summary += "; scope \(budgets.spendScope.isEmpty ? budgets.scope.description : budgets.spendScope)" }
        return summary
    }

    /// `audit trail /var/log/tollgate/agent.log` or `no audit trail`.
    public var auditSummary: String {
        audit.map { "audit trail \($0.path)" } ?? "no audit trail"
    }
}
