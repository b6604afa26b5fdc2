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

    /// Creates an event.
    public init(time: Int64, tool: String?, rules: [String] = [], amount: BudgetUsage) {
        self.time = time
        self.tool = tool
        self.rules = rules
        self.amount = amount
    }
}
