/// `budgets.samplingTokens` and `budgets.samplingMaxTokensPerRequest`: a server's
/// `sampling/createMessage` is granted in full (by ``CallEffects``, before the session reads
/// it) or refused, and settled on the client's answer.
extension PolicyGate {
    /// Whether sampling is capped (``GateNeeds/sampling``).
    var samplingCapped: Bool {
        let limits = manifest.budgetLimits
        return limits.overall.samplingTokens != nil || limits.samplingMaxTokensPerRequest != nil
    }

    public mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?) {
        effects.append(.samplingAnswered(grant, tokens: tokens))
    }
}
