/// Whose budget: the overall one, a rule's shared one, or one tool's under a `"per": "tool"` rule.
public enum BudgetScope: Sendable, Hashable, CustomStringConvertible {
    /// `budgets.*`.
    case overall
    /// `tools.RULE.budget.*`, shared by every tool the rule matches.
    case rule(String)
    /// `tools.RULE.budget.*` of one tool (`"per": "tool"`).
    case tool(rule: String, tool: String)

    /// The manifest path of the budget: `budgets`, `tools.git_*.budget`, `tools.git_*.budget[git_log]`.
    public var description: String {
        switch self {
        case .overall: "budgets"
        case .rule(let rule): "tools.\(rule).budget"
        case .tool(let rule, let tool): "tools.\(rule).budget[\(tool)]"
        }
    }

    /// The name of one capped counter: `budgets.calls`, `tools.git_*.budget.cost`,
    /// `tools.git_*.budget[git_log].calls`.
    public func name(_ counter: BudgetCounter) -> String { "\(self).\(counter)" }

    /// The manifest rule behind the budget, as a denial names it (`budgets`, `tools.git_*`).
    public var ruleName: String {
        switch self {
        case .overall: "budgets"
        case .rule(let rule), .tool(let rule, _): "tools.\(rule)"
        }
    }
}
