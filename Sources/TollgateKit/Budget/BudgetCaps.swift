/// The caps of one budget; nil means that counter is not capped.
///
/// `calls` and `cost` are checked before a call runs (a call that would cross the cap is denied);
/// `resultTokens` and `samplingTokens` are checked as long as anything is left (a call is denied
/// once the total reached the cap; a sampling request's `maxTokens` is lowered to what is left).
public struct BudgetCaps: Sendable, Hashable {
    /// Most tool calls.
    public var calls: Int64?
    /// Most cost units.
    public var cost: CostUnits?
    /// Most estimated result tokens.
    public var resultTokens: Int64?
    /// Most sampling tokens (only for the overall budget: sampling belongs to no tool).
    public var samplingTokens: Int64?

    /// Creates caps (none by default).
    public init(calls: Int64? = nil, cost: CostUnits? = nil, resultTokens: Int64? = nil, samplingTokens: Int64? = nil) {
        self.calls = calls
        self.cost = cost
        self.resultTokens = resultTokens
        self.samplingTokens = samplingTokens
    }

    /// Whether no counter is capped.
    public var isEmpty: Bool { calls == nil && cost == nil && resultTokens == nil && samplingTokens == nil }

    /// The cap of one counter in its raw unit (cost in millionths), or nil.
    public subscript(counter: BudgetCounter) -> Int64? {
        switch counter {
        case .calls: calls
        case .cost: cost?.micros
        case .resultTokens: resultTokens
        case .samplingTokens: samplingTokens
        }
    }
}
