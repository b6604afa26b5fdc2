/// A tool call as budgets see it: the tool's name and the rules that decide it.
public struct BudgetCall: Sendable, Hashable {
    /// The tool's name as the call gives it.
    public var tool: String
    /// Indices into ``BudgetLimits/rules`` of the rules that decide the tool (the winning rule,
    /// or every tied allow rule); empty when `policy.default` decided.
    public var rules: [Int]

    /// Creates a call.
    public init(tool: String, rules: [Int] = []) {
        self.tool = tool
        self.rules = rules
    }
}
