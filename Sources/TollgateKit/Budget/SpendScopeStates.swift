/// Budgets read scope by scope, for `tollgate budget show`: one ``BudgetState`` per spend scope
/// met (the manifest's own scopes first), each counting only what was spent in its scope, and
/// which of its budgets were touched. A forecast then shows, per scope, the budgets that were
/// spent in it, and every budget of the scopes the manifest names.
struct SpendScopeStates {
    /// The settings, with the scope each budget is configured for (an empty name: not known).
    let limits: BudgetLimits
    private(set) var names: [String] = []
    private(set) var states: [BudgetState] = []
    private var touched: [Set<Int>] = []
    private let now: Int64

    init(limits: BudgetLimits, now: Int64) {
        self.limits = limits
        self.now = now
        for name in [limits.spendScope] + limits.rules.indices.map({ limits.spendScope(rule: $0) }) where !name.isEmpty {
            _ = index(of: name)
        }
    }

    /// The state of scope `name` (made on first use: every budget of the settings, in that scope).
    mutating func index(of name: String) -> Int {
        if let index = names.firstIndex(where: { SpendScope.same($0, name) }) { return index }
        var scoped = limits
        scoped.spendScope = name
        for rule in scoped.rules.indices { scoped.rules[rule].spendScope = nil }
        var state = BudgetState(limits: scoped)
        state.advance(to: now)
        names.append(name)
        states.append(state)
        touched.append([])
        return names.count - 1
    }

    /// Counts `event` in scope `name` (against the budgets it was spent in that scope for).
    mutating func apply(_ event: SpendEvent, in name: String) {
        let index = index(of: name)
        let slots = states[index].slots(of: event)
        touched[index].formUnion(slots)
        _ = states[index].apply(event.amount, at: event.time, slots: slots)
    }

    /// Counts `usage` at `time` against one budget of scope `name` (a store's budget); false
    /// when the settings keep no such budget.
    @discardableResult
    mutating func add(_ usage: BudgetUsage, at time: Int64, to budget: BudgetScope, in name: String) -> Bool {
        let index = index(of: name)
        guard let slot = states[index].slot(for: budget) else { return false }
        touched[index].insert(slot)
        _ = states[index].apply(usage, at: time, slots: [slot])
        return true
    }

    /// The forecast of each scope: the budgets touched, and those configured for it.
    func forecasts(now: Int64) -> [Forecast] {
        states.indices.map { index in
            let name = names[index]
            return Forecast(state: states[index], now: now) { slot in
                touched[index].contains(slot) || SpendScope.same(configuredScope(of: states[index].slots[slot].scope), name)
            }
        }
    }

    /// The scope the settings configure `budget` for.
    private func configuredScope(of budget: BudgetScope) -> String {
        switch budget {
        case .overall:
            return limits.spendScope
        case .rule(let rule), .tool(let rule, _):
            guard let index = limits.rules.firstIndex(where: { $0.rule.hasSameScalars(as: rule) }) else { return "" }
            return limits.spendScope(rule: index)
        }
    }
}
