/// Reservations, settlements and sampling grants against the store: one script run per call, the
/// calls of a batch, the waiting settlements and any local spend to reconcile all pipelined in
/// one round trip.
extension StoreCore {
    /// The reservation of a call on `route` (made once per route).
    /// What reserving `call` sends (for `tollgate-bench store`'s floor: the round trip alone).
    package mutating func reservationCall(for call: BudgetCall) -> StoreClient.ScriptCall {
        reservation(route: shadow.route(for: call), rules: call.rules).call
    }

    private mutating func reservation(route: Int, rules: [Int]) -> Reservation {
        if let made = reservations[route] { return made }
        let slots = shadow.routes[route].slots
        let buckets = rateBuckets(rules: rules, tool: shadow.routes[route].tool ?? "")
        let amount = BudgetUsage(calls: 1, cost: CostUnits(micros: shadow.routes[route].cost),
                                 resultTokens: shadow.routes[route].maxResultTokens ?? 0)
        let made = Reservation(buckets: buckets, amount: amount,
                               call: scriptCall(UInt8(ascii: "r"), budgets: slots.map { key(slot: $0) }, caps: slots.map { shadow.slots[$0].caps },
                                                amount: amount, buckets: buckets))
        reservations[route] = made
        return made
    }

    /// Reserves `calls` in order in one round trip (with the waiting settlements and, after an
    /// outage, the local spend before them).
    mutating func reserve(_ calls: [BudgetCall], now: Int64) throws(LedgerError) -> [BudgetDecision] {
        let prepared = calls.map { call -> (route: Int, reservation: Reservation) in
            let route = shadow.route(for: call)
            return (route, reservation(route: route, rules: call.rules))
        }
        let replies: [RESPValue]
        do throws(StoreError) {
            replies = try roundTrip(prepared.map(\.reservation.call))
        } catch {
            try fallBack(after: error)
            return calls.map { localReserve($0, now: now, cause: error) }
        }
        var decisions: [BudgetDecision] = []
        decisions.reserveCapacity(calls.count)
        for ((route, entry), reply) in zip(prepared, replies) {
            let slots = shadow.routes[route].slots
            let outcome: StoreReply
            do throws(StoreError) {
                outcome = try StoreReply(reply, budgets: slots.count, buckets: entry.buckets.count)
            } catch {
                throw denial(error)
            }
            switch outcome {
            case .applied(let time, let totals):
                var found: [BudgetCrossing] = []
                observe(totals, slots: slots, change: entry.amount, into: &found)
                let reservation = BudgetReservation(tool: shadow.routes[route].tool ?? "", time: time, amount: entry.amount,
                                                    maxResultTokens: shadow.routes[route].maxResultTokens, route: route)
                lastReservation = (reservation, totals)
                decisions.append(.reserved(reservation, crossings: takeCrossings(adding: found)))
            case .refused(_, let budget, let counter, let used, let cap, let requested, let resetsAt):
                let refusal = BudgetExhausted(scope: shadow.slots[slots[budget]].scope, counter: counter, used: used, cap: cap,
                                              requested: requested, resetsAt: resetsAt)
                decisions.append(.exhausted(refusal, crossings: takeCrossings()))
            case .limited(_, let bucket, let wait):
                decisions.append(.rateLimited(retryAfterMs: wait, scope: entry.buckets[bucket].scope, rate: entry.buckets[bucket].limit.rate))
            }
        }
        return decisions
    }

    /// Grants a sampling request against the overall budget's sampling tokens.
    mutating func reserveSampling(maxTokens requested: Int64, now: Int64) throws(LedgerError) -> SamplingDecision {
        let granted = Swift.max(requested, 0)
        if let perRequest = limits.samplingMaxTokensPerRequest, granted > perRequest { return .overPerRequest(limit: perRequest) }
        let amount = BudgetUsage(samplingTokens: granted)
        let run = scriptCall(UInt8(ascii: "r"), budgets: [key(slot: 0)], caps: [shadow.slots[0].caps], amount: amount)
        let reply: RESPValue
        do throws(StoreError) {
            reply = try roundTrip([run])[0]
        } catch {
            try fallBack(after: error)
            return localSampling(maxTokens: requested, now: now, cause: error)
        }
        do throws(StoreError) {
            switch try StoreReply(reply, budgets: 1, buckets: 0) {
            case .applied(let time, let totals):
                var found: [BudgetCrossing] = []
                observe(totals, slots: [0], change: amount, into: &found)
                return .granted(SamplingGrant(requested: requested, maxTokens: granted, time: time), crossings: takeCrossings(adding: found))
            case .refused(_, _, let counter, let used, let cap, let asked, let resetsAt):
                return .exhausted(BudgetExhausted(scope: .overall, counter: counter, used: used, cap: cap, requested: asked, resetsAt: resetsAt),
                                  crossings: takeCrossings())
            case .limited:
                throw StoreError(.malformed, "the store rate-limited a sampling request, which has no rate")
            }
        } catch {
            throw denial(error)
        }
    }

    /// Queues a change of `amount` on a reservation's budgets (counted at `at`; -1: the
    /// server's now) for the next round trip; flushes at once when the queue is full.
    mutating func queue(_ amount: BudgetUsage, on reservation: BudgetReservation, at: Int64) {
        guard !amount.isZero else { return }
        var route = reservation.route
        if reservation.isLocal, let fallback {
            let local = fallback.state.routes[reservation.route]
            route = shadow.route(tool: local.tool, ruleNames: local.ruleNames)
        }
        queue(amount, slots: shadow.routes[route].slots, at: at)
    }

    /// Queues a change of `amount` on shadow `slots` (see ``queue(_:on:at:)``). Changes to the
    /// same budgets in the same time bucket, refunds with refunds and additions with additions,
    /// are added up into one run.
    mutating func queue(_ amount: BudgetUsage, slots: [Int], at: Int64) {
        let at = at < 0 ? -1 : shadow.clock.bucket(of: at) * shadow.clock.width
        if pending.isEmpty { pendingSince = SystemClock.monotonicMilliseconds() }
        if let index = pending.lastIndex(where: { $0.slots == slots && $0.at == at && $0.amount.isNegative == amount.isNegative }) {
            pending[index].amount += amount
            return
        }
        if pending.count >= Self.maxPending {
            let dropped = pending.removeFirst()
            diagnostics.report("budget: the store has been unavailable for \(Self.maxPending) settlements; dropped the oldest (\(dropped.amount.isNegative ? "a refund: budgets over-count" : "result tokens: budgets under-count them"))")
        }
        pending.append(Settlement(keys: slots.map { key(slot: $0) }, slots: slots, amount: amount, at: at))
    }

    /// Whether waiting settlements should ride with the next reservation.
    var settlementsAreDue: Bool {
        !pending.isEmpty && (pending.count >= Self.piggybackCount || SystemClock.monotonicMilliseconds() - pendingSince >= StoreAccount.settleIntervalMs)
    }

    /// Sends the waiting settlements (and any local spend to reconcile); an outage leaves them
    /// waiting (refunds are dropped, so nothing is ever under-counted).
    mutating func flush() throws(LedgerError) {
        guard !pending.isEmpty || fallback?.hasSpend == true else { return }
        do throws(StoreError) {
            _ = try roundTrip([], settling: true)
        } catch {
            if !Self.isOutage(error) { throw denial(error) }
        }
    }

    /// Runs `calls` after the local spend to reconcile and the waiting settlements (when
    /// `settling`, or when they are due), in one pipelined round trip; returns the replies to `calls`. On a failure the settlements stay
    /// queued, but refunds are dropped: one may have been applied before the failure, and
    /// applying it twice would under-count.
    mutating func roundTrip(_ calls: [StoreClient.ScriptCall], settling: Bool = false, again: Bool = false) throws(StoreError) -> [RESPValue] {
        let reconciliation = reconciliation()
        let settlements = settling || settlementsAreDue ? pending : []
        if !settlements.isEmpty { pending = [] }
        let replies: [RESPValue]
        do throws(StoreError) {
            replies = try client.run((reconciliation + settlements).map { run(of: $0) } + calls)
        } catch {
            if !settlements.isEmpty { pendingSince = SystemClock.monotonicMilliseconds() }
            pending = settlements.filter { !$0.amount.isNegative } + pending
            // A connection that had served before was found closed (the server restarted or
            // dropped idle clients): try once more on a new one, at once. What the first attempt
            // may have counted stays counted (an over-count at worst).
            if !again, error.kind == .closed, client.ranOnOpenConnection {
                client.reconnectNow()
                return try roundTrip(calls, settling: settling, again: true)
            }
            throw error
        }
        var offset = 0
        if !reconciliation.isEmpty {
            if let failure = replies[0..<reconciliation.count].compactMap(\.errorText).first {
                diagnostics.report("budget: the store refused the local spend of the outage (\(failure)); it is not counted there")
            }
            reconciled()
            offset = reconciliation.count
        }
        for (settlement, reply) in zip(settlements, replies[offset...]) {
            do throws(StoreError) {
                if case .applied(_, let totals) = try StoreReply(reply, budgets: settlement.slots.count, buckets: 0) {
                    var found: [BudgetCrossing] = []
                    observe(totals, slots: settlement.slots, change: settlement.amount, into: &found)
                    crossings += found
                }
            } catch {
                diagnostics.report("budget: the store refused a settlement: \(error)")
            }
        }
        transition(to: .available, "the store answers again; budgets are counted there")
        return Array(replies[(offset + settlements.count)...])
    }
}

extension BudgetUsage {
    /// Whether some amount is below zero (a refund or a release).
    var isNegative: Bool { calls < 0 || cost < 0 || resultTokens < 0 || samplingTokens < 0 }
}
