/// The state of one ``StoreAccount``, behind its mutex: the client, the budgets' routes and
/// reported crossings (a ``BudgetState`` whose spend lives in the store, not in it), the
/// settlements waiting for the next round trip, and the local fallback during an outage.
package struct StoreCore {
    /// A change to add to the store later (a settlement, a release; the local spend of an
    /// outage): the run, the budgets (shadow slots; none for local spend) it changes, by how
    /// much, and at what time (-1: the server's now).
    struct Settlement {
        /// The budgets' keys.
        var keys: [[UInt8]]
        var slots: [Int]
        var amount: BudgetUsage
        var at: Int64 = -1
    }

    /// What reserving a call on one route sends, and how to read the answer.
    struct Reservation {
        var buckets: [RateBucket]
        var amount: BudgetUsage
        var call: StoreClient.ScriptCall
    }

    /// A rate bucket a call reaches: its key, its limit and which budget's rate it is.
    struct RateBucket {
        var key: [UInt8]
        var limit: RateLimit
        var scope: BudgetScope
    }

    /// The most settlements kept waiting; beyond, the oldest is dropped (and said so).
    static let maxPending = 4096
    /// Settlements ride with a reservation once this many wait, or once the oldest has waited
    /// ``StoreAccount/settleIntervalMs`` (otherwise the relay's tick sends them, off the calls' path).
    static let piggybackCount = 64

    let client: StoreClient
    let keys: StoreKeys
    let settings: StoreSettings
    let report: @Sendable (StoreNotice) -> Void
    let diagnostics: Diagnostics
    var limits: BudgetLimits
    /// Routes, slots and reported crossings; its spend stays zero (the store holds it).
    var shadow: BudgetState
    /// Each shadow slot's key, filled as slots appear.
    var slotKeys: [[UInt8]] = []
    /// Each route's reservation (its run, rate buckets and amount), made on first use.
    var reservations: [Int: Reservation] = [:]
    var pending: [Settlement] = []
    /// When the oldest waiting settlement was queued (monotonic milliseconds).
    var pendingSince: Int64 = 0
    /// Crossings found by settlements, returned with the next operation.
    var crossings: [BudgetCrossing] = []
    /// The totals the store answered for the last reservation (what is left, for its audit
    /// record, is made from them only when asked for).
    var lastReservation: (reservation: BudgetReservation, totals: [BudgetUsage])?
    /// Where the store stands, as last reported.
    var state = StoreNotice.State.available
    /// Local counting during an outage (`onStoreFailure: "local"`).
    var fallback: StoreFallback?

    package init(client: StoreClient, settings: StoreSettings, limits: BudgetLimits, diagnostics: Diagnostics, report: @escaping @Sendable (StoreNotice) -> Void) {
        self.client = client
        self.settings = settings
        self.report = report
        self.diagnostics = diagnostics
        keys = StoreKeys(namespace: settings.namespace)
        self.limits = limits
        shadow = BudgetState(limits: limits)
    }

    // MARK: The script's arguments

    /// The key of shadow slot `slot`.
    mutating func key(slot: Int) -> [UInt8] {
        while slotKeys.count <= slot {
            let next = shadow.slots[slotKeys.count]
            slotKeys.append(keys.key(.budget, next.scope, spendScope: next.spendScope))
        }
        return slotKeys[slot]
    }

    /// The rate buckets a call on `tool` (the route's name for it) decided by `rules` reaches.
    func rateBuckets(rules: [Int], tool: String) -> [RateBucket] {
        var buckets: [RateBucket] = []
        if let rate = limits.rate {
            buckets.append(RateBucket(key: keys.key(.rate, .overall, spendScope: limits.spendScope), limit: rate, scope: .overall))
        }
        var seen: [ProtocolName] = []
        for index in rules where limits.rules.indices.contains(index) {
            let rule = limits.rules[index]
            guard let rate = rule.rate, !seen.contains(ProtocolName(rule.rule)) else { continue }
            seen.append(ProtocolName(rule.rule))
            let scope: BudgetScope = rule.per == .rule ? .rule(rule.rule) : .tool(rule: rule.rule, tool: tool)
            buckets.append(RateBucket(key: keys.key(.rate, scope, spendScope: limits.spendScope(rule: index)), limit: rate, scope: scope))
        }
        return buckets
    }

    /// One run of the script: `op` (`r` or `a`) on budgets `keys` with `caps` (nil: unchecked,
    /// for `a`), adding `amount` (at `at`, -1: the server's now, for `a`), and rate `buckets`.
    func scriptCall(_ op: UInt8, budgets keys: [[UInt8]], caps: [BudgetCaps?], amount: BudgetUsage, at: Int64 = -1, buckets: [RateBucket] = []) -> StoreClient.ScriptCall {
        let clock = shadow.clock
        var arguments: [[UInt8]] = [[op], Self.decimal(Int64(keys.count)), Self.decimal(Int64(buckets.count)),
                                    Self.decimal(clock.width), Self.decimal(clock.window ?? 0), Self.decimal(clock.retention),
                                    Self.decimal(expiry), Self.decimal(at)]
        arguments.reserveCapacity(8 + keys.count * 8 + buckets.count * 3)
        for cap in caps {
            for counter in BudgetCounter.allCases { arguments.append(Self.decimal(cap?[counter] ?? -1)) }
            for counter in BudgetCounter.allCases { arguments.append(Self.decimal(amount[counter])) }
        }
        for bucket in buckets {
            arguments.append(Self.decimal(bucket.limit.rate.count))
            arguments.append(Self.decimal(bucket.limit.rate.intervalMs))
            arguments.append(Self.decimal(bucket.limit.burst ?? bucket.limit.rate.count))
        }
        return StoreClient.ScriptCall(keys: keys + buckets.map(\.key), arguments: arguments)
    }

    /// How long a budget's key lives after its last change: past its window (and a minute), or
    /// 31 days without a window, so the budgets of scopes no longer used disappear.
    var expiry: Int64 {
        if let window = shadow.clock.window { return window + shadow.clock.width + 60_000 }
        return BudgetWindow.maximumMs
    }

    /// The run that adds a settlement (made when it is sent: queued ones are added up first).
    func run(of settlement: Settlement) -> StoreClient.ScriptCall {
        scriptCall(UInt8(ascii: "a"), budgets: settlement.keys, caps: settlement.keys.map { _ in nil }, amount: settlement.amount, at: settlement.at)
    }

    static func decimal(_ value: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        RESPCommand.decimal(value, into: &bytes)
        return bytes
    }

    // MARK: Crossings and what is left

    /// Applies the totals the store answered for `slots` after a change of `amount`: the crossings
    /// reported.
    mutating func observe(_ totals: [BudgetUsage], slots: [Int], change amount: BudgetUsage, into found: inout [BudgetCrossing]) {
        for (slot, total) in zip(slots, totals) {
            shadow.slots[slot].forgetCrossings(after: amount, used: total)
            shadow.slots[slot].collectCrossings(used: total, into: &found)
        }
    }

    /// What was left of each capped budget after `reservation`, if it was the last one made.
    func remaining(after reservation: BudgetReservation) -> JSONObject {
        var left = JSONObject()
        guard let last = lastReservation, last.reservation == reservation, !reservation.isLocal else { return left }
        for (slot, total) in zip(shadow.routes[reservation.route].slots, last.totals) { shadow.slots[slot].addRemaining(used: total, to: &left) }
        return left
    }

    /// The crossings gathered so far, plus `own`; clears them.
    mutating func takeCrossings(adding own: [BudgetCrossing] = []) -> [BudgetCrossing] {
        if crossings.isEmpty { return own }
        defer { crossings = [] }
        return crossings + own
    }

    // MARK: Outages

    /// The error for a call denied because the store cannot be used: with `retryAfterMs` for an
    /// outage, without for a refusal (a missing ACL permission, a script error).
    func denial(_ error: StoreError) -> LedgerError {
        LedgerError(path: settings.endpoint.description, message: error.message, setting: "budgets.store",
                    retryAfterMs: Self.isOutage(error) ? Swift.max(1, client.retryAfterMs) : nil)
    }

    /// After an operation could not use the store: returns when the caller is to count locally
    /// (an outage, with `onStoreFailure: "local"`); otherwise reports an outage (once) and throws
    /// the error that denies the call.
    mutating func fallBack(after error: StoreError) throws(LedgerError) {
        guard Self.isOutage(error) else { throw denial(error) }
        if case .local = settings.onFailure { return }
        transition(to: .unavailable, "budgets cannot be counted, so calls that need them are denied: \(error)")
        throw denial(error)
    }

    /// Reports a change of where the store stands, once per change.
    mutating func transition(to next: StoreNotice.State, _ message: String) {
        guard next != state else { return }
        state = next
        report(StoreNotice(state: next, store: settings.endpoint.description, message: message))
    }

    /// Whether `error` means the store cannot be used now (rather than a refusal: a missing ACL
    /// permission or a script error, which no outage mode hides).
    static func isOutage(_ error: StoreError) -> Bool { error.kind != .refused }
}
