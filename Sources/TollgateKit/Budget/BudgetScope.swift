/// Whose budget: the overall one, a rule's shared one, or one tool's under a `"per": "tool"` rule.
public enum BudgetScope: Sendable, Hashable, CustomStringConvertible {
    /// `budgets.*`.
    case overall
    /// `tools.RULE.budget.*`, shared by every tool the rule matches.
    case rule(String)
    /// `tools.RULE.budget.*` of one tool (`"per": "tool"`).
    case tool(rule: String, tool: String)

    /// Scopes are equal when their names are, byte for byte (never by `String` equality).
    public static func == (lhs: BudgetScope, rhs: BudgetScope) -> Bool {
        switch (lhs, rhs) {
        case (.overall, .overall): true
        case (.rule(let a), .rule(let b)): a.hasSameScalars(as: b)
        case (.tool(let a, let x), .tool(let b, let y)): a.hasSameScalars(as: b) && x.hasSameScalars(as: y)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .overall: hasher.combine(0)
        case .rule(let rule): hasher.combine(1); rule.hashScalars(into: &hasher)
        case .tool(let rule, let tool): hasher.combine(2); rule.hashScalars(into: &hasher); tool.hashScalars(into: &hasher)
        }
    }

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
