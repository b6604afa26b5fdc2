/// The answer to a sampling request: granted (maybe with a lower `maxTokens`) or refused.
public enum SamplingDecision: Sendable, Hashable {
    /// Forward the request with ``SamplingGrant/maxTokens``.
    case granted(SamplingGrant, crossings: [BudgetCrossing])
    /// Refuse it: `budgets.samplingTokens` is used up.
    case exhausted(BudgetExhausted, crossings: [BudgetCrossing])

    /// The crossings to report.
    public var crossings: [BudgetCrossing] {
        switch self {
        case .granted(_, let crossings), .exhausted(_, let crossings): crossings
        }
    }
}
