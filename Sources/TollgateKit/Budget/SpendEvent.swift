/// One fact of spend, as the ledger records it and the forecast reads it: at `time`, a call to
/// `tool` decided by `rules` changed the counters by `amount` (negative for a release or a
/// sampling refund).
///
/// Events name tools and rules rather than budgets, so the same history is read through whatever
/// budgets the current manifest defines.
public struct SpendEvent: Sendable, Hashable {
    /// When the spend counts, in milliseconds since the Unix epoch (a settle or release carries
    /// its reservation's time, so it lands in the same window bucket).
    public var time: Int64
    /// The tool called; nil for sampling, which only the overall budget counts.
    public var tool: String?
    /// The keys of the rules that decided the call (`git_*`).
    public var rules: [String]
    /// The change.
    public var amount: BudgetUsage
    /// The scope each budget counted it in (see ``SpendScope``): the overall budget's first,
    /// then one per rule of ``rules``; empty when all are `global`.
    public var spendScopes: [String]

    /// Creates an event.
    public init(time: Int64, tool: String?, rules: [String] = [], amount: BudgetUsage, spendScopes: [String] = []) {
        self.time = time
        self.tool = tool
        self.rules = rules
        self.amount = amount
        self.spendScopes = spendScopes
    }

    /// The scope the event counted in for a budget: the overall one's, or its rule's
    /// (`global` when the event names none).
    public func spendScope(of budget: BudgetScope) -> String {
        let position: Int? = switch budget {
        case .overall: 0
        case .rule(let name), .tool(let name, _): rules.firstIndex { $0.hasSameScalars(as: name) }.map { $0 + 1 }
        }
        guard let position, position < spendScopes.count else { return SpendScope.globalName }
        return spendScopes[position]
    }
}
