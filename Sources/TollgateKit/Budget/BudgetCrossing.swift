/// A cap's use crossed 50%, 80% or 100%; each is reported once per budget, counter and level
/// for the life of a ``BudgetState`` (or ``Ledger``), including crossings caused by other
/// processes sharing the ledger. A release that takes the use back below a level (a reservation
/// that was never spent) lets that level be reported again when spend really reaches it.
public struct BudgetCrossing: Sendable, Hashable {
    /// The levels reported.
    public static let levels: [Int64] = [50, 80, 100]

    /// Whose budget.
    public var scope: BudgetScope
    /// Which counter.
    public var counter: BudgetCounter
    /// 50, 80 or 100.
    public var percent: Int64
    /// What is used (raw units).
    public var used: Int64
    /// The cap.
    public var cap: Int64

    /// Creates a crossing (budgets report them; gate tests may make them too).
    public init(scope: BudgetScope, counter: BudgetCounter, percent: Int64, used: Int64, cap: Int64) {
        self.scope = scope
        self.counter = counter
        self.percent = percent
        self.used = used
        self.cap = cap
    }

    /// The budget's name, e.g. `budgets.cost`.
    public var budget: String { scope.name(counter) }

    /// The stderr line (without the `tollgate: ` prefix).
    public var message: String {
        "budget \(budget) reached \(percent)%: \(counter.format(used)) of \(counter.format(cap)) used"
    }
}
