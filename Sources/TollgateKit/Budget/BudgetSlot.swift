/// One budget inside a ``BudgetState``: its scope, whose spend it counts, its caps, its spend and
/// the threshold levels already reported (bit `counter * 3 + level`).
struct BudgetSlot: Sendable {
    let scope: BudgetScope
    /// Whose spend (see ``SpendScope``): `global`, `agent:alice`.
    let spendScope: String
    let caps: BudgetCaps
    var series = SpendSeries()
    var reported: UInt16 = 0
    /// The names of its capped counters as a record's `budgets` gives them (`budgets.calls`,
    /// `tools.echo.budget.cost`), made once (see ``addRemaining(used:to:)``), empty for a counter without a cap.
    let names: (calls: String, cost: String, resultTokens: String)

    init(scope: BudgetScope, caps: BudgetCaps, spendScope: String = SpendScope.globalName) {
        self.scope = scope
        self.caps = caps
        self.spendScope = spendScope
        names = (caps.calls == nil ? "" : scope.name(.calls), caps.cost == nil ? "" : scope.name(.cost),
                 caps.resultTokens == nil ? "" : scope.name(.resultTokens))
    }

    /// The used amount at which `percent` of `cap` is reached: ⌈cap × percent / 100⌉, without
    /// overflow for any cap.
    @inline(__always)
    static func threshold(cap: Int64, percent: Int64) -> Int64 {
        cap / 100 * percent + (cap % 100 * percent + 99) / 100
    }

    /// After `change` (a reservation released, a refund: negative amounts), forgets the levels
    /// the total no longer reaches, so reaching them again is reported again: a call held for
    /// approval and then denied leaves no report behind.
    mutating func forgetCrossings(after change: BudgetUsage) {
        forgetCrossings(after: change, used: series.total)
    }

    /// ``forgetCrossings(after:)`` for a budget whose total is `total` (kept elsewhere: a store).
    mutating func forgetCrossings(after change: BudgetUsage, used total: BudgetUsage) {
        guard reported != 0 else { return }
        for counter in BudgetCounter.allCases where change[counter] < 0 {
            guard let cap = caps[counter], cap > 0 else { continue }
            let used = total[counter]
            for (level, percent) in BudgetCrossing.levels.enumerated() where used < Self.threshold(cap: cap, percent: percent) {
                reported &= ~(UInt16(1) << (counter.rawValue * 3 + level))
            }
        }
    }

    /// Appends the levels newly reached by the current total to `crossings`.
    @inline(__always)
    mutating func collectCrossings(into crossings: inout [BudgetCrossing]) {
        collectCrossings(used: series.total, into: &crossings)
    }

    /// ``collectCrossings(into:)`` for a budget whose total is `total` (kept elsewhere: a store).
    @inline(__always)
    mutating func collectCrossings(used total: BudgetUsage, into crossings: inout [BudgetCrossing]) {
        if let cap = caps.calls { collect(.calls, cap: cap, used: total.calls, into: &crossings) }
        if let cap = caps.cost?.micros { collect(.cost, cap: cap, used: total.cost, into: &crossings) }
        if let cap = caps.resultTokens { collect(.resultTokens, cap: cap, used: total.resultTokens, into: &crossings) }
        if let cap = caps.samplingTokens { collect(.samplingTokens, cap: cap, used: total.samplingTokens, into: &crossings) }
    }

    @inline(__always)
    private mutating func collect(_ counter: BudgetCounter, cap: Int64, used: Int64, into crossings: inout [BudgetCrossing]) {
        guard cap > 0 else { return }
        // Fast exit: below half, or every level of this counter already reported.
        let allBits: UInt16 = 0b111 << (counter.rawValue * 3)
        guard reported & allBits != allBits, used >= Self.threshold(cap: cap, percent: 50) else { return }
        for (level, percent) in BudgetCrossing.levels.enumerated() {
            let bit: UInt16 = 1 << (counter.rawValue * 3 + level)
            if reported & bit == 0 && used >= Self.threshold(cap: cap, percent: percent) {
                reported |= bit
                crossings.append(BudgetCrossing(scope: scope, counter: counter, percent: percent, used: used, cap: cap))
            }
        }
    }

    /// Why this budget refuses `amount`, or nil. Calls and cost refuse a call that would cross
    /// the cap; tokens refuse once the total reached the cap.
    @inline(__always)
    func refusal(_ amount: BudgetUsage, clock: SpendClock) -> BudgetExhausted? {
        let used = series.total
        if let cap = caps.calls, used.calls + amount.calls > cap {
            return exhausted(.calls, cap: cap, requested: amount.calls, clock: clock)
        }
        if let cap = caps.cost?.micros, amount.cost > 0, used.cost + amount.cost > cap {
            return exhausted(.cost, cap: cap, requested: amount.cost, clock: clock)
        }
        if let cap = caps.resultTokens, used.resultTokens >= cap {
            return exhausted(.resultTokens, cap: cap, requested: 0, clock: clock)
        }
        return nil
    }

    /// The refusal of `counter`, with the time enough spend leaves the window (if it ever does).
    func exhausted(_ counter: BudgetCounter, cap: Int64, requested: Int64, clock: SpendClock) -> BudgetExhausted {
        let used = series.total[counter]
        var resetsAt: Int64?
        if let window = clock.window {
            func fits(_ remaining: Int64) -> Bool { requested > 0 ? remaining + requested <= cap : remaining < cap }
            var remaining = used
            for bucket in series.buckets {
                remaining -= bucket.usage[counter]
                if fits(remaining) {
                    resetsAt = (bucket.index + 1) * clock.width + window
                    break
                }
            }
        }
        return BudgetExhausted(scope: scope, counter: counter, used: used, cap: cap, requested: requested, resetsAt: resetsAt)
    }
}
