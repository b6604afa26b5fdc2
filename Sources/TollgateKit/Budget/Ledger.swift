import Synchronization

/// Budgets that survive restarts and are shared by several Tollgate processes
/// (`budgets.ledger: "path"`): an append-only log of spend records (see ``LedgerRecord``),
/// replayed into a ``BudgetState``.
///
/// Reserve before forwarding, settle after: a reservation locks the ledger (`flock` on
/// `PATH.lock`), replays what other processes appended since this one last looked (only the new
/// tail is read), checks the caps, appends a `reserve` record and unlocks; the call is forwarded
/// only once its record is written. So processes sharing a ledger share its caps exactly, and a
/// crash at any moment can leave a reservation without its settle (counted as spent: an
/// over-count), never a forwarded call without its reservation (see ``LedgerSync`` for what an
/// OS crash can lose). A torn last line is detected by its checksum, ignored, and cut off by
/// the next writer.
///
/// When the log exceeds `compactAfter` lines, the writer that notices compacts it into a snapshot
/// renamed over the path atomically (see ``LedgerCore/compact(now:)``).
///
/// Rate limits are not kept in the ledger (see ``RateLimiter``). Thread-safe: operations of one
/// instance are serialized by a mutex; instances in one or several processes by the file lock.
public final class Ledger: BudgetAccount {
    /// The ledger's path.
    public let path: String
    /// When records are forced to the disk.
    public let sync: LedgerSync
    private let core: Mutex<LedgerCore>

    /// Opens (or creates) the ledger at `path` and replays it.
    public init(path: String, limits: BudgetLimits, sync: LedgerSync = .batched(intervalMs: 50),
                compactAfter: Int = 10_000, now: Int64) throws(LedgerError) {
        self.path = path
        self.sync = sync
        var core = LedgerCore(file: try LedgerFile(path: path), limits: limits, sync: sync,
                              compactAfter: Swift.max(compactAfter, 16), now: now)
        try core.locked(now: now) { core throws(LedgerError) in
            if core.offset == 0 { try core.append(LedgerRecord(marker: .header, time: now)) }
        }
        self.core = Mutex(core)
    }

    deinit {
        core.withLock { core in try? core.syncNow(now: core.lastSync) }
    }

    /// Reserves a call; see ``BudgetState/reserve(_:now:)``. Throws when the ledger cannot be
    /// read or written (deny the call: budgets fail closed).
    /// Takes new budget settings for this process's view of the ledger (the records on file
    /// name tools and rules, so they count under any settings); see
    /// ``BudgetState/reconfigure(to:carrying:)``.
    public func reconfigure(to limits: BudgetLimits, carrying reservations: [BudgetReservation]) -> [BudgetReservation]? {
        core.withLock { core in core.state.reconfigure(to: limits, carrying: reservations) }
    }

    public func reserve(_ call: BudgetCall, now: Int64) throws(LedgerError) -> BudgetDecision {
        try core.withLock { core throws(LedgerError) -> BudgetDecision in
            try core.locked(now: now) { core throws(LedgerError) -> BudgetDecision in
                switch core.state.reserve(route: core.state.route(for: call), now: now) {
                case .exhausted(let refusal, _):
                    return .exhausted(refusal, crossings: core.takeCrossings())
                case .rateLimited(let wait, let scope, let rate):
                    return .rateLimited(retryAfterMs: wait, scope: scope, rate: rate)
                case .reserved(let reservation, let own):
                    do throws(LedgerError) {
                        try core.append(.reserve, core.state.event(reservation.amount, at: now, route: reservation.route))
                    } catch {
                        core.state.release(reservation, now: now)
                        throw error
                    }
                    core.compactIfNeeded(now: now)
                    return .reserved(reservation, crossings: core.takeCrossings(adding: own))
                }
            }
        }
    }

    /// Adds the result's tokens; see ``BudgetState/settle(_:resultTokens:now:)``.
    public func settle(_ reservation: BudgetReservation, resultTokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing] {
        guard resultTokens != 0 else { return [] }
        return try record(.settle, BudgetUsage(resultTokens: resultTokens), at: now, route: reservation.route, now: now)
    }

    /// Takes back a call that never reached the server; see ``BudgetState/release(_:now:)``.
    public func release(_ reservation: BudgetReservation, now: Int64) throws(LedgerError) {
        _ = try record(.release, -reservation.amount, at: reservation.time, route: reservation.route, now: now)
    }

    /// Grants a sampling request; see ``BudgetState/reserveSampling(maxTokens:now:)``.
    public func reserveSampling(maxTokens: Int64, now: Int64) throws(LedgerError) -> SamplingDecision {
        try core.withLock { core throws(LedgerError) -> SamplingDecision in
            try core.locked(now: now) { core throws(LedgerError) -> SamplingDecision in
                switch core.state.reserveSampling(maxTokens: maxTokens, now: now) {
                case .exhausted(let refusal, _):
                    return .exhausted(refusal, crossings: core.takeCrossings())
                case .overPerRequest(let limit):
                    return .overPerRequest(limit: limit)
                case .granted(let grant, let own):
                    do throws(LedgerError) {
                        try core.append(.sampling, core.state.event(BudgetUsage(samplingTokens: grant.maxTokens), at: now, route: 0))
                    } catch {
                        _ = core.state.settleSampling(grant, tokens: 0, now: now)
                        throw error
                    }
                    core.compactIfNeeded(now: now)
                    return .granted(grant, crossings: core.takeCrossings(adding: own))
                }
            }
        }
    }

    /// Corrects a grant; see ``BudgetState/settleSampling(_:tokens:now:)``.
    public func settleSampling(_ grant: SamplingGrant, tokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing] {
        let extra = tokens - grant.maxTokens
        guard extra != 0 else { return [] }
        return try record(.samplingSettle, BudgetUsage(samplingTokens: extra), at: extra < 0 ? grant.time : now, route: 0, now: now)
    }

    /// Appends a change on a route and applies it. If the record cannot be written, an increase
    /// still counts in this process (over-count) and a decrease does not (the spend stays
    /// counted); the error is thrown either way.
    private func record(_ kind: LedgerRecord.Kind, _ amount: BudgetUsage, at time: Int64, route: Int, now: Int64) throws(LedgerError) -> [BudgetCrossing] {
        try core.withLock { core throws(LedgerError) -> [BudgetCrossing] in
            let increase = amount.calls >= 0 && amount.cost >= 0 && amount.resultTokens >= 0 && amount.samplingTokens >= 0
            var applied = false
            do throws(LedgerError) {
                return try core.locked(now: now) { core throws(LedgerError) -> [BudgetCrossing] in
                    try core.append(kind, core.state.event(amount, at: time, route: route))
                    let own = core.state.apply(amount, at: time, route: route)
                    applied = true
                    core.compactIfNeeded(now: now)
                    return core.takeCrossings(adding: own)
                }
            } catch {
                if increase && !applied { _ = core.state.apply(amount, at: time, route: route) }
                throw error
            }
        }
    }

    /// The forecast of every budget at `now`, after reading what other processes appended.
    public func forecast(now: Int64) throws(LedgerError) -> Forecast {
        try core.withLock { core throws(LedgerError) -> Forecast in
            try core.locked(now: now) { core in Forecast(state: core.state, now: now) }
        }
    }

    /// What is left of each capped budget a reserved call counts against, as this process's
    /// view of the ledger stood after the reservation (no file access).
    public func remaining(after reservation: BudgetReservation) -> JSONObject {
        core.withLock { core in core.state.remaining(after: reservation) }
    }

    /// Syncs records written at least one batch interval ago (for a timer in batched mode).
    public func syncIfDue(now: Int64) throws(LedgerError) {
        try core.withLock { core throws(LedgerError) in try core.syncAfterWrite(now: now) }
    }

    /// The batch interval of a ledger with batched fsync; nil otherwise.
    public var syncIntervalMilliseconds: Int64? {
        if case .batched(let interval) = sync { interval } else { nil }
    }

    /// Whether records were written and not yet synced.
    public var hasUnsyncedRecords: Bool { core.withLock { $0.unsynced } }

    /// Syncs what was written and not yet synced (the relay's tick, one interval after a write).
    public func syncPending() throws(LedgerError) { try flush() }

    /// Syncs every record written (call it at exit).
    public func flush() throws(LedgerError) {
        try core.withLock { core throws(LedgerError) in
            if core.unsynced { try core.syncNow(now: core.lastSync) }
        }
    }

    /// Compacts the log now (normally automatic).
    public func compact(now: Int64) throws(LedgerError) {
        try core.withLock { core throws(LedgerError) in
            try core.locked(now: now) { core throws(LedgerError) in try core.compact(now: now) }
        }
    }

    /// Counters for diagnostics and tests.
    public var stats: LedgerStats {
        core.withLock { core in
            LedgerStats(lines: core.records, bytes: core.offset, skippedLines: core.skippedLines,
                        compactions: core.compactions, lastCompactionError: core.lastCompactionError)
        }
    }
}
