/// What a gate needs from budget accounting, kept in memory (``BudgetState``) or in a ledger
/// shared by several processes (``Ledger``), so the gate is written once for both.
///
/// The protocol: reserve before forwarding; settle when the call ends (even when it failed:
/// an error result has tokens too); release only when the call never reached the server.
/// Report every ``BudgetCrossing`` returned (one stderr line each). ``Ledger`` operations throw
/// when the ledger cannot be read or written: fail closed (deny the call).
public protocol BudgetAccount: Sendable {
    /// Reserves a call; see ``BudgetState/reserve(_:now:)``.
    mutating func reserve(_ call: BudgetCall, now: Int64) throws(LedgerError) -> BudgetDecision
    /// Reserves calls decided together, in order, as if one by one (a store sends them in one
    /// pipelined round trip). On a throw none may be forwarded (some may stay counted).
    mutating func reserve(batch calls: [BudgetCall], now: Int64) throws(LedgerError) -> [BudgetDecision]
    /// Whether the account keeps the rate limits itself (a store shares them between gates):
    /// then ``reserve(_:now:)`` may answer ``BudgetDecision/rateLimited(retryAfterMs:scope:rate:)``
    /// and the gate keeps no rate limiter of its own.
    var limitsRates: Bool { get }
    /// Adds the result's tokens; see ``BudgetState/settle(_:resultTokens:now:)``.
    mutating func settle(_ reservation: BudgetReservation, resultTokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing]
    /// Takes back a call that never ran; see ``BudgetState/release(_:now:)``.
    mutating func release(_ reservation: BudgetReservation, now: Int64) throws(LedgerError)
    /// Grants a sampling request; see ``BudgetState/reserveSampling(maxTokens:now:)``.
    mutating func reserveSampling(maxTokens: Int64, now: Int64) throws(LedgerError) -> SamplingDecision
    /// Corrects a grant; see ``BudgetState/settleSampling(_:tokens:now:)``.
    mutating func settleSampling(_ grant: SamplingGrant, tokens: Int64, now: Int64) throws(LedgerError) -> [BudgetCrossing]
    /// The forecast of every budget at `now`.
    mutating func forecast(now: Int64) throws(LedgerError) -> Forecast
    /// What is left of each capped budget a reserved call counts against (for audit records).
    mutating func remaining(after reservation: BudgetReservation) -> JSONObject
    /// How long written records may wait for their sync (a ledger with batched fsync), or nil
    /// when nothing waits; the gate then asks its relay for a tick to call ``syncPending()``.
    var syncIntervalMilliseconds: Int64? { get }
    /// Forces what was written and not yet synced to the disk.
    mutating func syncPending() throws(LedgerError)
    /// Takes new budget settings; see ``BudgetState/reconfigure(to:carrying:)``.
    mutating func reconfigure(to limits: BudgetLimits, carrying reservations: [BudgetReservation]) -> [BudgetReservation]?
    /// Opens a group commit: the records of the operations until ``commitGroup(now:)`` may be
    /// written together (see ``Ledger/beginGroup()``); nothing for an account in memory.
    mutating func beginGroup()
    /// Writes the group's records; on a throw, the group's changes were taken back and none of
    /// its calls may be forwarded.
    mutating func commitGroup(now: Int64) throws(LedgerError)
}

extension BudgetAccount {
    public mutating func reserve(batch calls: [BudgetCall], now: Int64) throws(LedgerError) -> [BudgetDecision] {
        var decisions: [BudgetDecision] = []
        decisions.reserveCapacity(calls.count)
        for call in calls { decisions.append(try reserve(call, now: now)) }
        return decisions
    }
    public var limitsRates: Bool { false }
    public mutating func remaining(after reservation: BudgetReservation) -> JSONObject { JSONObject() }
    public var syncIntervalMilliseconds: Int64? { nil }
    public mutating func syncPending() throws(LedgerError) {}
    public mutating func beginGroup() {}
    public mutating func commitGroup(now: Int64) throws(LedgerError) {}
}

extension BudgetState: BudgetAccount {
    /// The forecast of every budget at `now`, from this state.
    public mutating func forecast(now: Int64) -> Forecast {
        advance(to: now)
        return Forecast(state: self, now: now)
    }
}
