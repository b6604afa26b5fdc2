import Synchronization

/// Budgets and rate limits shared by every gate on a Redis (or Valkey) server (`budgets.store`):
/// each call is reserved by one Lua script run that checks and counts every budget and rate
/// bucket it reaches, all or nothing, at the server's time (see ``StoreScript``). So any number
/// of gates on any number of machines share caps exactly, and rates too.
///
/// The protocol's rules hold as for a ``Ledger``: a call is forwarded only once its reservation
/// was counted by the store. Result and sampling tokens: a call's `maxResultTokens` is reserved
/// up front and the difference settled after the result, in a later round trip (at the relay's
/// tick, ``settleIntervalMs`` after the call, added up per budget and time bucket; or with a
/// reservation once they are due), so a settlement lost with its gate over-counts, never
/// under-counts. Calls decided together can be reserved in one pipelined round trip
/// (``reserve(batch:now:)``).
///
/// While the store cannot be used (unreachable, or slower than the operation timeout), calls are
/// denied with `budget_unavailable` and `retryAfterMs` (`onStoreFailure: "deny"`), or counted
/// locally within `localShare` of each cap and added to the store once it answers (`"local"`);
/// each change is reported once. Thread-safe: operations are serialized by a mutex (each
/// blocks for at most the connect or operation timeout).
public final class StoreAccount: BudgetAccount {
    /// The settings.
    public let settings: StoreSettings
    private let core: Mutex<StoreCore>

    /// How soon after a call waiting settlements are sent if no reservation takes them first.
    public static let settleIntervalMs: Int64 = 10

    /// An account on the store of `settings`, authenticating with `password` (read from the
    /// variable the settings name). Nothing is connected until the first operation.
    public init(settings: StoreSettings, password: String?, limits: BudgetLimits, diagnostics: Diagnostics = .standardError,
                report: @escaping @Sendable (StoreNotice) -> Void = { _ in }) {
        self.settings = settings
        let client = StoreClient(settings: StoreClient.Settings(endpoint: settings.endpoint, user: settings.user, password: password,
                                                                connectTimeoutMs: settings.connectTimeoutMs, operationTimeoutMs: settings.operationTimeoutMs),
                                 script: StoreScript.text)
        core = Mutex(StoreCore(client: client, settings: settings, limits: limits, diagnostics: diagnostics, report: report))
    }

    public var limitsRates: Bool { true }

    public func reserve(_ call: BudgetCall, now: Int64) throws(LedgerError) -> BudgetDecision {
        try reserve(batch: [call], now: now)[0]
    }

    public func reserve(batch calls: [BudgetCall], now: Int64) throws(LedgerError) -> [BudgetDecision] {
        try core.withLock { core throws(LedgerError) in try core.reserve(calls, now: now) }
    }

    /// Settles the difference between the result's tokens and those reserved (the call's
    /// `maxResultTokens`) at the next round trip; returns the crossings found so far.
    public func settle(_ reservation: BudgetReservation, resultTokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing] {
        core.withLock { core in
            let change = resultTokens - reservation.amount.resultTokens
            core.queue(BudgetUsage(resultTokens: change), on: reservation, at: change < 0 ? reservation.time : -1)
            return core.takeCrossings()
        }
    }

    /// Takes back a call that never ran (at the next round trip).
    public func release(_ reservation: BudgetReservation, now: Int64) throws(LedgerError) {
        core.withLock { core in core.queue(-reservation.amount, on: reservation, at: reservation.time) }
    }

    public func reserveSampling(maxTokens: Int64, now: Int64) throws(LedgerError) -> SamplingDecision {
        try core.withLock { core throws(LedgerError) in try core.reserveSampling(maxTokens: maxTokens, now: now) }
    }

    public func settleSampling(_ grant: SamplingGrant, tokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing] {
        core.withLock { core in
            let extra = tokens - grant.maxTokens
            core.queue(BudgetUsage(samplingTokens: extra), slots: [0], at: extra < 0 ? grant.time : -1)
            return core.takeCrossings()
        }
    }

    /// The forecast of every budget of this gate's scopes, read from the store.
    public func forecast(now: Int64) throws(LedgerError) -> Forecast {
        try core.withLock { core throws(LedgerError) in
            do throws(StoreError) {
                return try StoreReader.forecast(client: core.client, keys: core.keys, limits: core.limits, onlyConfigured: true)
            } catch {
                throw core.denial(error)
            }
        }
    }

    /// What was left of each capped budget after the reservation (as the store answered it).
    public func remaining(after reservation: BudgetReservation) -> JSONObject {
        core.withLock { core in core.remaining(after: reservation) }
    }

    public var syncIntervalMilliseconds: Int64? { Self.settleIntervalMs }

    /// Sends the waiting settlements (and, after an outage, the local spend).
    public func syncPending() throws(LedgerError) {
        try core.withLock { core throws(LedgerError) in try core.flush() }
    }

    /// Takes new settings: caps, rates and costs may change; the window may not (nil).
    public func reconfigure(to limits: BudgetLimits, carrying reservations: [BudgetReservation]) -> [BudgetReservation]? {
        core.withLock { core in
            guard limits.window == core.limits.window else { return nil }
            let local = reservations.filter(\.isLocal)
            guard let carried = core.shadow.reconfigure(to: limits, carrying: reservations.filter { !$0.isLocal }) else { return nil }
            var localCarried: [BudgetReservation] = []
            if var fallback = core.fallback {
                localCarried = fallback.state.reconfigure(to: StoreFallback.scaled(limits, share: fallback.share), carrying: local) ?? []
                for index in localCarried.indices { localCarried[index].isLocal = true }
                let limiter = RateLimiter(limits: limits)
                fallback.rates = limiter.isEmpty ? nil : limiter
                core.fallback = fallback
            }
            core.limits = limits
            core.slotKeys = []
            core.reservations = [:]
            core.lastReservation = nil
            // In the order given: store reservations and local ones each keep their order.
            var store = carried.makeIterator(), fallback = localCarried.makeIterator()
            return reservations.compactMap { $0.isLocal ? fallback.next() : store.next() }
        }
    }

    /// Sends what waits and closes the connection (at exit).
    public func close() {
        core.withLock { core in
            try? core.flush()
            core.client.disconnect()
        }
    }
}
