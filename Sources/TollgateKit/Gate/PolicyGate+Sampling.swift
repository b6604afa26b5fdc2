/// `budgets.samplingTokens` and `budgets.samplingMaxTokensPerRequest`: a server's
/// `sampling/createMessage` is granted in full (by ``CallEffects``, before the session reads
/// it) or refused, and settled on the client's answer.
extension PolicyGate {
    public mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?) {
        effects.append(.samplingAnswered(grant, tokens: tokens))
    }
}
