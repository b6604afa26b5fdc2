/// Why a call or sampling request was refused: which cap of which budget, and how far it is used.
public struct BudgetExhausted: Error, Sendable, Hashable {
    /// Whose budget.
    public var scope: BudgetScope
    /// Which counter.
    public var counter: BudgetCounter
    /// What is used (raw units: cost in millionths).
    public var used: Int64
    /// The cap.
    public var cap: Int64
    /// What the call needed: 1 call, its cost, or 0 for tokens (refused once nothing is left).
    public var requested: Int64
    /// With a window: when enough spend will have left the window for this call to pass; nil
    /// when it never will (no window, or the call alone exceeds the cap).
    public var resetsAt: Int64?

    /// Creates a refusal (budgets make them; gate tests may too).
    public init(scope: BudgetScope, counter: BudgetCounter, used: Int64, cap: Int64, requested: Int64, resetsAt: Int64? = nil) {
        self.scope = scope
        self.counter = counter
        self.used = used
        self.cap = cap
        self.requested = requested
        self.resetsAt = resetsAt
    }

    /// The budget's name, e.g. `tools.git_*.budget.calls`.
    public var budget: String { scope.name(counter) }

    /// One sentence for people and models.
    public var message: String {
        var text = "the budget \(budget) is exhausted: \(counter.format(used)) of \(counter.format(cap)) used"
        if requested > 0 && counter == .cost { text += ", this call costs \(counter.format(requested))" }
        if let resetsAt { text += "; enough of it frees up at \(UTCTime.iso8601(milliseconds: resetsAt))" }
        return text
    }
}
