/// Every budget setting of a manifest, as a pure value: the overall caps and rate (`budgets.*`),
/// the window, the sampling limits, and each tool rule's budget.
///
/// The lead integration maps the manifest onto this; ``BudgetCall/rules`` then refers to rules by
/// their index in ``rules`` (keep it parallel to the manifest's `tools`, with an empty
/// ``RuleBudget`` for rules without budget settings).
public struct BudgetLimits: Sendable, Hashable {
    /// The overall caps (`budgets.calls`, `budgets.cost`, `budgets.resultTokens`, `budgets.samplingTokens`).
    public var overall: BudgetCaps
    /// The overall rate limit (`budgets.rate`).
    public var rate: RateLimit?
    /// The rolling window (`budgets.window`); nil: count per run, or for the ledger's life.
    public var window: BudgetWindow?
    /// The largest `maxTokens` one sampling request may ask for (lowered to it, not denied).
    public var samplingMaxTokensPerRequest: Int64?
    /// Each tool rule's settings.
    public var rules: [RuleBudget]
    /// Whose spend the overall budget and rate count (`budgets.scope` resolved, such as
    /// `global` or `agent:alice`; see ``SpendScope``); also the scope of rules that set none.
    public var spendScope: String

    /// Creates settings (no limit by default).
    public init(overall: BudgetCaps = BudgetCaps(), rate: RateLimit? = nil, window: BudgetWindow? = nil,
                samplingMaxTokensPerRequest: Int64? = nil, rules: [RuleBudget] = [], spendScope: String = SpendScope.globalName) {
        self.overall = overall
        self.rate = rate
        self.window = window
        self.samplingMaxTokensPerRequest = samplingMaxTokensPerRequest
        self.rules = rules
        self.spendScope = spendScope
    }

    /// The resolved scope of rule `index`'s budget and rate: its own, or the overall one.
    public func spendScope(rule index: Int) -> String {
        rules[index].spendScope ?? spendScope
    }

    /// Whether the overall budget, and every rule both settings have (by name), count the same
    /// scope in both (a budget cannot move its spend to another scope while it runs).
    public func keepsScopes(of other: BudgetLimits) -> Bool {
        guard SpendScope.same(spendScope, other.spendScope) else { return false }
        var theirs: [ProtocolName: String] = [:]
        for index in other.rules.indices { theirs[ProtocolName(other.rules[index].rule)] = other.spendScope(rule: index) }
        return rules.indices.allSatisfy { index in
            theirs[ProtocolName(rules[index].rule)].map { SpendScope.same($0, spendScope(rule: index)) } ?? true
        }
    }

    /// Whether some budget counts the spend of a scope other than `global`.
    public var isScoped: Bool {
        !SpendScope.isGlobal(spendScope) || rules.contains { $0.spendScope.map { !SpendScope.isGlobal($0) } ?? false }
    }

    /// Whether nothing is limited or priced, so a gate can skip budget accounting altogether.
    public var isEmpty: Bool {
        overall.isEmpty && rate == nil && samplingMaxTokensPerRequest == nil
            && rules.allSatisfy { !$0.hasCaps && $0.rate == nil && $0.cost == .zero && $0.maxResultTokens == nil }
    }

    /// The cost of one call decided by these rules: the highest of their costs (a call is one
    /// call, even when several equally specific rules apply).
    public func cost(rules indices: [Int]) -> CostUnits {
        indices.reduce(CostUnits.zero) { Swift.max($0, rules[$1].cost) }
    }

    /// The largest result a call decided by these rules may return: the lowest of their limits.
    public func maxResultTokens(rules indices: [Int]) -> Int64? {
        indices.compactMap { rules[$0].maxResultTokens }.min()
    }
}
