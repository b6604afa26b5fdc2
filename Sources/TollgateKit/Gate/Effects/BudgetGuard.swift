/// The budgets of ``CallEffects``: rate limits (monotonic clock), then a budget reservation
/// (wall clock, in memory or in a shared ledger) for every call the policy allows, settled with
/// the result's estimated tokens when the call ends.
///
/// Threshold crossings are returned to the gate, which reports them (stderr and audit).
struct BudgetGuard: Sendable {
    /// What the guard keeps about a forwarded call until it ends.
    struct InFlight: Sendable {
        var reservation: BudgetReservation?
        var rules: [Int]
    }

    private(set) var limits: BudgetLimits
    let clock: GateClock
    private var rates: RateLimiter?
    private var account: any BudgetAccount
    private var inFlight: [RequestID: InFlight] = [:]
    /// Whether a group commit is open, and whether the account's group was opened (by the
    /// group's first operation on the account, so a batch without one costs the account nothing).
    private var grouping = false
    private var accountGrouping = false

    init(limits: BudgetLimits, account: any BudgetAccount, clock: GateClock) {
        self.limits = limits
        self.clock = clock
        self.account = account
        let limiter = RateLimiter(limits: limits)
        rates = limiter.isEmpty || account.limitsRates ? nil : limiter
    }

    /// Checks the rate limits and reserves the call. Returns the denial when a limit refuses it
    /// (nothing is then counted), and the crossings to report.
    mutating func admit(_ call: ToolCall, rules: [Int]) -> (denial: Denial?, crossings: [BudgetCrossing]) {
        let budgetCall = BudgetCall(tool: call.name, rules: rules)
        let monotonic = clock.monotonicMilliseconds()
        if let rates, case .limited(let wait, let scope, let rate) = rates.check(budgetCall, now: monotonic) {
            return (Denial.rateLimited(retryAfterMs: wait, scope: scope, rate: rate, tool: call.name), [])
        }
        let decision: BudgetDecision
        openAccountGroup()
        do throws(LedgerError) {
            decision = try account.reserve(budgetCall, now: clock.wallMilliseconds())
        } catch {
            return (Denial.budgetUnavailable(error, tool: call.name), [])
        }
        switch decision {
        case .exhausted(let refusal, let crossings):
            return (Denial.budgetExhausted(refusal, tool: call.name), crossings)
        case .rateLimited(let wait, let scope, let rate):
            return (Denial.rateLimited(retryAfterMs: wait, scope: scope, rate: rate, tool: call.name), [])
        case .reserved(let reservation, let crossings):
            _ = rates?.take(budgetCall, now: monotonic)
            inFlight[call.id] = InFlight(reservation: reservation, rules: rules)
            return (nil, crossings)
        }
    }

    /// How long the account's written records may wait for their sync, if they wait at all.
    var syncIntervalMilliseconds: Int64? { account.syncIntervalMilliseconds }

    /// Syncs the account's pending records; returns a problem to report, if any.
    /// What is left of the budgets a reserved call counts against, for its audit record; nil
    /// when the call holds no reservation.
    mutating func remaining(for call: ToolCall) -> JSONObject? {
        guard let reservation = inFlight[call.id]?.reservation else { return nil }
        return account.remaining(after: reservation)
    }

    /// Where every budget stands now (nil when the ledger cannot be read).
    mutating func forecast() -> Forecast? {
        try? account.forecast(now: clock.wallMilliseconds())
    }

    mutating func syncPending() -> String? {
        do throws(LedgerError) {
            try account.syncPending()
            return nil
        } catch {
            return "budget: cannot sync the \(error)"
        }
    }

    /// Whether sampling requests are capped.
    var capsSampling: Bool { limits.overall.samplingTokens != nil || limits.samplingMaxTokensPerRequest != nil }

    /// Decides a sampling request: granted in full, or refused with the reason and the crossings.
    mutating func admitSampling(maxTokens: Int64) -> (grant: SamplingGrant?, refusal: String?, crossings: [BudgetCrossing]) {
        do throws(LedgerError) {
            switch try account.reserveSampling(maxTokens: maxTokens, now: clock.wallMilliseconds()) {
            case .granted(let grant, let crossings): return (grant, nil, crossings)
            case .exhausted(let refusal, let crossings): return (nil, "maxTokens \(maxTokens) does not fit: \(refusal.message)", crossings)
            case .overPerRequest(let limit):
                return (nil, "maxTokens \(maxTokens) is over budgets.samplingMaxTokensPerRequest (\(limit))", [])
            }
        } catch {
            return (nil, "the budget ledger cannot be used (\(error))", [])
        }
    }

    /// Settles a grant with the tokens the answer used (nil: unknown, it stays counted in full).
    mutating func settleSampling(_ grant: SamplingGrant, tokens: Int64?) -> (crossings: [BudgetCrossing], problem: String?) {
        guard let tokens else { return ([], nil) }
        openAccountGroup()
        do throws(LedgerError) {
            return (try account.settleSampling(grant, tokens: tokens, now: clock.wallMilliseconds()), nil)
        } catch {
            return ([], "budget: cannot record the sampling tokens: \(error)")
        }
    }

    /// Takes new budget settings while calls run (see ``BudgetState/reconfigure(to:carrying:)``):
    /// calls in flight keep their reservations, settled into the new budgets, their rules found
    /// again by name; rate limits that stay keep their buckets. False, changing nothing, when
    /// the spend cannot move (the window changed).
    mutating func reconfigure(to newLimits: BudgetLimits) -> Bool {
        let entries = inFlight.filter { $0.value.reservation != nil }
        guard let carried = account.reconfigure(to: newLimits, carrying: entries.map { $0.value.reservation! }) else { return false }
        var newIndex: [ProtocolName: Int] = [:]
        for (index, rule) in newLimits.rules.enumerated() where newIndex[ProtocolName(rule.rule)] == nil { newIndex[ProtocolName(rule.rule)] = index }
        let oldLimits = limits
        for (id, entry) in inFlight {
            inFlight[id]?.rules = entry.rules.compactMap { oldLimits.rules.indices.contains($0) ? newIndex[ProtocolName(oldLimits.rules[$0].rule)] : nil }
        }
        for ((id, _), reservation) in zip(entries, carried) { inFlight[id]?.reservation = reservation }
        rates = rates.map { $0.carried(to: newLimits) } ?? RateLimiter(limits: newLimits)
        if rates?.isEmpty == true || account.limitsRates { rates = nil }
        limits = newLimits
        return true
    }

    /// Opens a group commit (see ``BudgetAccount/beginGroup()``): the account's, at the group's
    /// first operation on it.
    mutating func beginGroup() { grouping = true }

    private mutating func openAccountGroup() {
        guard grouping, !accountGrouping else { return }
        accountGrouping = true
        account.beginGroup()
    }

    /// Writes the group's records; returns the error when they could not be written (the
    /// account took the group's changes back: forget its reservations with ``forget(_:)``).
    mutating func commitGroup() -> LedgerError? {
        grouping = false
        guard accountGrouping else { return nil }
        accountGrouping = false
        do throws(LedgerError) {
            try account.commitGroup(now: clock.wallMilliseconds())
            return nil
        } catch {
            return error
        }
    }

    /// Forgets the reservation of a call whose record was never written (its group failed).
    mutating func forget(_ call: ToolCall) {
        inFlight.removeValue(forKey: call.id)
    }

    /// Takes back the reservation of a call that will not be forwarded after all.
    mutating func release(_ call: ToolCall) -> LedgerError? {
        guard let reservation = inFlight.removeValue(forKey: call.id)?.reservation else { return nil }
        do throws(LedgerError) {
            try account.release(reservation, now: clock.wallMilliseconds())
            return nil
        } catch {
            return error
        }
    }

    /// Settles a forwarded call with its result's estimated tokens (nil: not estimated, counted
    /// as none); returns the crossings and a problem to report.
    mutating func settle(_ call: ToolCall, resultTokens tokens: Int64?) -> (crossings: [BudgetCrossing], problem: String?) {
        guard let reservation = inFlight.removeValue(forKey: call.id)?.reservation else { return ([], nil) }
        openAccountGroup()
        do throws(LedgerError) {
            return (try account.settle(reservation, resultTokens: tokens ?? 0, now: clock.wallMilliseconds()), nil)
        } catch {
            return ([], "budget: cannot record the result tokens of \(call.name): \(error)")
        }
    }
}
