/// The answer to a sampling request: granted in full or refused.
public enum SamplingDecision: Sendable, Hashable {
    /// Forward the request as it is; its `maxTokens` counts until it is settled.
    case granted(SamplingGrant, crossings: [BudgetCrossing])
    /// Refuse it: its `maxTokens` does not fit in what is left of `budgets.samplingTokens`.
    case exhausted(BudgetExhausted, crossings: [BudgetCrossing])
    /// Refuse it: its `maxTokens` is over `budgets.samplingMaxTokensPerRequest` (`limit`).
    case overPerRequest(limit: Int64)

    /// The crossings to report.
    public var crossings: [BudgetCrossing] {
        switch self {
        case .granted(_, let crossings), .exhausted(_, let crossings): crossings
        case .overPerRequest: []
        }
    }
}
