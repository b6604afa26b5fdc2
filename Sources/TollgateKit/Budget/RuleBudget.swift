/// The budget settings of one tool rule (`tools.PATTERN`): its caps, its rate limit, what one
/// call costs and the largest result it may return.
public struct RuleBudget: Sendable, Hashable {
    /// How a glob rule's budget is shared by the tools it matches.
    public enum Sharing: Sendable, Hashable {
        /// One budget for all the tools the rule matches (the default).
        case rule
        /// Each tool gets a budget of its own (`"per": "tool"`).
        case tool
    }

    /// The rule key as written in the manifest (`git_*`, `read_query`).
    public var rule: String
    /// The caps (`tools.X.budget`).
    public var caps: BudgetCaps
    /// Shared by the rule's tools or one per tool.
    public var per: Sharing
    /// The rate limit (`tools.X.rate`, `tools.X.burst`).
    public var rate: RateLimit?
    /// Cost units spent per call (`tools.X.cost`, default 0), counted against every cost cap.
    public var cost: CostUnits
    /// The largest result one call may return, in estimated tokens (`tools.X.maxResultTokens`).
    public var maxResultTokens: Int64?
    /// Whose spend the rule's budget and rate count (`tools.X.budget.scope` resolved); nil: the
    /// overall one (``BudgetLimits/spendScope``).
    public var spendScope: String?

    /// Creates a rule's budget settings.
    public init(rule: String, caps: BudgetCaps = BudgetCaps(), per: Sharing = .rule, rate: RateLimit? = nil,
                cost: CostUnits = .zero, maxResultTokens: Int64? = nil, spendScope: String? = nil) {
        self.rule = rule
        self.caps = caps
        self.per = per
        self.rate = rate
        self.cost = cost
        self.maxResultTokens = maxResultTokens
        self.spendScope = spendScope
    }

    /// Whether this rule needs a budget of its own (it caps a counter).
    public var hasCaps: Bool { !caps.isEmpty }
}
