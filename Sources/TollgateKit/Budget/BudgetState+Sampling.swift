extension BudgetState {
    /// Grants a sampling request (`sampling/createMessage`) asking for `maxTokens` in full, or
    /// refuses it: over `samplingMaxTokensPerRequest`, or over what is left of
    /// `budgets.samplingTokens` (a request is never lowered: the server asked for that much and
    /// gets an error instead, and the client is never asked). The grant counts in full until settled.
    public mutating func reserveSampling(maxTokens requested: Int64, now: Int64) -> SamplingDecision {
        advance(to: now)
        slots[0].series.expire(now: latest, clock: clock)
        let granted = Swift.max(requested, 0)
        if let perRequest = limits.samplingMaxTokensPerRequest, granted > perRequest {
            return .overPerRequest(limit: perRequest)
        }
        if let cap = limits.overall.samplingTokens, slots[0].series.total.samplingTokens + granted > cap {
            return .exhausted(slots[0].exhausted(.samplingTokens, cap: cap, requested: granted, clock: clock), crossings: [])
        }
        let crossings = apply(BudgetUsage(samplingTokens: granted), at: now, route: 0)
        return .granted(SamplingGrant(requested: requested, maxTokens: granted, time: now), crossings: crossings)
    }

    /// Corrects a grant to the tokens the answer used: the unused part is given back (in the
    /// grant's own window bucket); tokens beyond the grant (a client that ignored `maxTokens`)
    /// are added. Leave a grant unsettled when its answer is unknown: it stays counted in full.
    public mutating func settleSampling(_ grant: SamplingGrant, tokens: Int64, now: Int64) -> [BudgetCrossing] {
        advance(to: now)
        let extra = tokens - grant.maxTokens
        if extra == 0 { return [] }
        return apply(BudgetUsage(samplingTokens: extra), at: extra < 0 ? grant.time : now, route: 0)
    }
}
