/// Amounts of the four counters (a spend, a total, or a change that may be negative).
/// Cost is in millionths of a unit (``CostUnits/micros``).
public struct BudgetUsage: Sendable, Hashable {
    /// Tool calls.
    public var calls: Int64
    /// Cost in millionths.
    public var cost: Int64
    /// Estimated result tokens.
    public var resultTokens: Int64
    /// Sampling tokens.
    public var samplingTokens: Int64

    /// Creates amounts (zero by default).
    public init(calls: Int64 = 0, cost: CostUnits = .zero, resultTokens: Int64 = 0, samplingTokens: Int64 = 0) {
        self.calls = calls
        self.cost = cost.micros
        self.resultTokens = resultTokens
        self.samplingTokens = samplingTokens
    }

    /// Nothing.
    public static let zero = BudgetUsage()

    /// Whether every amount is zero.
    public var isZero: Bool { calls == 0 && cost == 0 && resultTokens == 0 && samplingTokens == 0 }

    /// The amount of one counter.
    public subscript(counter: BudgetCounter) -> Int64 {
        get {
            switch counter {
            case .calls: calls
            case .cost: cost
            case .resultTokens: resultTokens
            case .samplingTokens: samplingTokens
            }
        }
        set {
            switch counter {
            case .calls: calls = newValue
            case .cost: cost = newValue
            case .resultTokens: resultTokens = newValue
            case .samplingTokens: samplingTokens = newValue
            }
        }
    }

    /// Adds `other` amount by amount.
    @inline(__always)
    public static func += (lhs: inout BudgetUsage, rhs: BudgetUsage) {
        lhs.calls &+= rhs.calls
        lhs.cost &+= rhs.cost
        lhs.resultTokens &+= rhs.resultTokens
        lhs.samplingTokens &+= rhs.samplingTokens
    }

    /// Subtracts `other` amount by amount.
    @inline(__always)
    public static func -= (lhs: inout BudgetUsage, rhs: BudgetUsage) {
        lhs.calls &-= rhs.calls
        lhs.cost &-= rhs.cost
        lhs.resultTokens &-= rhs.resultTokens
        lhs.samplingTokens &-= rhs.samplingTokens
    }

    /// The amounts negated (a release or a refund).
    public static prefix func - (usage: BudgetUsage) -> BudgetUsage {
        var negated = BudgetUsage.zero
        negated -= usage
        return negated
    }
}
