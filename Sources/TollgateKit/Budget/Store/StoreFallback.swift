/// What a gate counts on its own while the store cannot be used (`onStoreFailure: "local"`):
/// budgets whose caps are `localShare` of the manifest's (rounded down), and rate limits of
/// its own. Once the store answers again, what was spent is added to the store and forgotten
/// here. With `gates` gates, an outage can let at most gates × localShare × cap be spent beyond
/// what the store had counted.
struct StoreFallback {
    /// The budgets, with each cap scaled by the share.
    var state: BudgetState
    /// The rate limits (per gate while the store is away).
    var rates: RateLimiter?
    /// Whether spend awaits reconciliation.
    var hasSpend = false
    /// The share of each cap.
    let share: CostUnits

    init(limits: BudgetLimits, share: CostUnits) {
        self.share = share
        state = BudgetState(limits: Self.scaled(limits, share: share))
        let limiter = RateLimiter(limits: limits)
        rates = limiter.isEmpty ? nil : limiter
    }

    /// `limits` with every cap scaled by `share` (rounded down).
    static func scaled(_ limits: BudgetLimits, share: CostUnits) -> BudgetLimits {
        func scale(_ caps: BudgetCaps) -> BudgetCaps {
            func part(_ cap: Int64?) -> Int64? {
                cap.map { Int64((Int128($0) * Int128(share.micros)) / Int128(CostUnits.scale)) }
            }
            return BudgetCaps(calls: part(caps.calls), cost: part(caps.cost?.micros).map { CostUnits(micros: $0) },
                              resultTokens: part(caps.resultTokens), samplingTokens: part(caps.samplingTokens))
        }
        var scaled = limits
        scaled.overall = scale(limits.overall)
        for index in scaled.rules.indices { scaled.rules[index].caps = scale(limits.rules[index].caps) }
        return scaled
    }
}

extension StoreCore {
    /// Reserves a call locally during an outage.
    mutating func localReserve(_ call: BudgetCall, now: Int64, cause: StoreError) -> BudgetDecision {
        guard case .local(let share) = settings.onFailure else { preconditionFailure("local counting without a local share") }
        if fallback == nil { fallback = StoreFallback(limits: limits, share: share) }
        transition(to: .local, "the store cannot be used (\(cause)); counting locally, at most \(share) of each cap, until it answers")
        let monotonic = SystemClock.monotonicMilliseconds()
        if let rates = fallback?.rates, case .limited(let wait, let scope, let rate) = rates.check(call, now: monotonic) {
            return .rateLimited(retryAfterMs: wait, scope: scope, rate: rate)
        }
        let decision = fallback!.state.reserve(call, now: now)
        guard case .reserved(var reservation, let found) = decision else { return decision }
        _ = fallback?.rates?.take(call, now: monotonic)
        reservation.isLocal = true
        fallback?.hasSpend = true
        return .reserved(reservation, crossings: takeCrossings(adding: found))
    }

    /// Grants a sampling request locally during an outage.
    mutating func localSampling(maxTokens: Int64, now: Int64, cause: StoreError) -> SamplingDecision {
        guard case .local(let share) = settings.onFailure else { preconditionFailure("local counting without a local share") }
        if fallback == nil { fallback = StoreFallback(limits: limits, share: share) }
        transition(to: .local, "the store cannot be used (\(cause)); counting locally, at most \(share) of each cap, until it answers")
        let decision = fallback!.state.reserveSampling(maxTokens: maxTokens, now: now)
        if case .granted = decision { fallback?.hasSpend = true }
        return decision
    }

    /// The runs that add the local spend to the store: per budget and time bucket, at the
    /// bucket's time (without a window, spend older than the kept buckets counts in the total only).
    mutating func reconciliation() -> [Settlement] {
        guard let fallback, fallback.hasSpend else { return [] }
        var runs: [Settlement] = []
        let clock = fallback.state.clock
        for slot in fallback.state.slots {
            let key = keys.key(.budget, slot.scope, spendScope: slot.spendScope)
            var rest = slot.series.total
            for bucket in slot.series.buckets where !bucket.usage.isZero {
                rest -= bucket.usage
                runs.append(Settlement(keys: [key], slots: [], amount: bucket.usage, at: bucket.index * clock.width))
            }
            if clock.window == nil, !rest.isZero {
                runs.append(Settlement(keys: [key], slots: [], amount: rest, at: 0))
            }
        }
        return runs
    }

    /// Forgets the local spend once the store has it.
    mutating func reconciled() {
        guard var fallback else { return }
        let spent = fallback.state.slots[0].series.total
        fallback.state.resetSpend()
        fallback.hasSpend = false
        self.fallback = fallback
        transition(to: .available, "the store answers again; the outage's local spend (\(spent.calls) calls, cost \(CostUnits(micros: spent.cost))) was added to it")
    }
}
