import Synchronization

/// The one owner of a gate's I/O on the call path (``CallEffects``): effects are queued in the
/// order they were decided (under the session's lock, which queuing only appends to) and
/// carried out in that order with no lock held.
///
/// Whoever finds nobody carrying effects out does it (the deciding thread, so a call is not
/// handed across cores): it takes every effect queued, carries them out as one group commit
/// (``CallEffects/perform(batch:)``: the batch's ledger records in one write, its audit records
/// in another), and goes on until the queue is empty. A thread that needs its effects done (a call waits for its reservation and
/// record before it may be forwarded) waits until they are; one that does not (an outcome
/// record) leaves them to whoever is carrying out.
public final class EffectsOwner: @unchecked Sendable {
    // `queue`, `busy`, `submitted`, `done` and `refusals` are guarded by `condition`; `effects`
    // is touched only by the thread that set `busy`.
    private let condition = Condition()
    private var queue: [GateEffect] = []
    private var busy = false {
        didSet { carrying.store(busy, ordering: .releasing) }
    }
    /// ``busy``, readable without the lock: a waiter spins on it briefly before it sleeps, since
    /// effects are usually carried out in a microsecond and waking a sleeper on the other core
    /// costs tens.
    private let carrying = Atomic<Bool>(false)
    /// How many effects were queued, and how many of them were carried out.
    private var submitted: UInt64 = 0
    private var done: UInt64 = 0
    /// Refusals not yet taken, by the number of the effect that led to each.
    private var refusals: [(number: UInt64, refusal: EffectRefusal)] = []
    private var effects: CallEffects

    /// The audit log the effects write to, if any (the I/O layer writes its queued outcome
    /// records once the answers they describe were relayed: ``AuditLog/writePending()``).
    public let auditLog: AuditLog?

    public init(_ effects: CallEffects = CallEffects()) {
        self.effects = effects
        auditLog = effects.audit?.log
    }

    /// Whether effects need carrying out at all (an audit trail or budgets exist).
    public var isEmpty: Bool { effects.isEmpty }

    /// Queues effects in decision order; call it while holding the lock the decisions were
    /// taken under. Returns a ticket for ``complete(_:)``.
    public func enqueue(_ new: [GateEffect]) -> Ticket {
        condition.lock()
        defer { condition.unlock() }
        let first = submitted + 1
        queue.append(contentsOf: new)
        submitted += UInt64(new.count)
        return Ticket(first: first, last: submitted)
    }

    /// The effects queued by one ``enqueue(_:)``.
    public struct Ticket: Sendable {
        let first: UInt64
        let last: UInt64
        /// No effects.
        public static let none = Ticket(first: 1, last: 0)
        public var isEmpty: Bool { last < first }
    }

    /// Carries out queued effects (if nobody else is) until those of `ticket` are done, and
    /// returns the refusals they led to: for one thread deciding alone. Call it with no lock held.
    public func complete(_ ticket: Ticket) -> [EffectRefusal] {
        _ = complete([ticket])
        return takeRefusals([ticket])[0]
    }

    /// Carries out queued effects until those of every ticket are done (for a pump that decided
    /// every line of one read, one ``enqueue(_:)`` per line, and completes them at once, so the
    /// read's records go out in one group commit before any of its lines is written). Returns
    /// whether any of them was refused; the refusals stay until taken (``takeRefusals(_:)``).
    /// Call it with no lock held.
    public func complete(_ tickets: [Ticket]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        carryOut(through: tickets.lazy.map(\.last).max() ?? 0)
        guard !refusals.isEmpty else { return false }
        let lookup = TicketLookup(tickets)
        return refusals.contains { lookup.ticket(of: $0.number) != nil }
    }

    /// Carries out every effect queued so far (those of calls another thread decided among them).
    /// Call it with no lock held.
    public func completeAll() {
        condition.lock()
        defer { condition.unlock() }
        carryOut(through: submitted)
    }

    /// Takes the refusals of each ticket, in the order given. Take them and apply them
    /// (``RuntimeSession/refuse(_:in:)``) in one critical section of the session's lock: a
    /// refusal is then applied exactly once, before any thread writes the call.
    public func takeRefusals(_ tickets: [Ticket]) -> [[EffectRefusal]] {
        condition.lock()
        defer { condition.unlock() }
        var taken = Array(repeating: [EffectRefusal](), count: tickets.count)
        guard !refusals.isEmpty else { return taken }
        let lookup = TicketLookup(tickets)
        refusals.removeAll { entry in
            guard let index = lookup.ticket(of: entry.number) else { return false }
            taken[index].append(entry.refusal)
            return true
        }
        return taken
    }

    /// Which of a read's tickets holds an effect's number, in O(log tickets) (a read may hold
    /// a thousand lines, and they are looked up under the session's lock).
    private struct TicketLookup {
        /// The non-empty tickets' indices, by their first number (tickets never overlap).
        let order: [Int]
        let tickets: [Ticket]

        init(_ tickets: [Ticket]) {
            self.tickets = tickets
            order = tickets.indices.filter { !tickets[$0].isEmpty }.sorted { tickets[$0].first < tickets[$1].first }
        }

        func ticket(of number: UInt64) -> Int? {
            var low = 0, high = order.count
            while low < high {
                let middle = (low + high) / 2
                if tickets[order[middle]].first <= number { low = middle + 1 } else { high = middle }
            }
            guard low > 0, number <= tickets[order[low - 1]].last else { return nil }
            return order[low - 1]
        }
    }

    /// Takes the refusals of the calls with the client's ids `ids` carried out so far, whoever
    /// decided them (for calls one thread decided and another sends on).
    public func takeRefusals(of ids: [RequestID]) -> [EffectRefusal] {
        condition.lock()
        defer { condition.unlock() }
        guard !refusals.isEmpty else { return [] }
        var taken: [EffectRefusal] = []
        refusals.removeAll { entry in
            guard ids.contains(entry.refusal.id) else { return false }
            taken.append(entry.refusal)
            return true
        }
        return taken
    }

    /// Carries out (or waits for whoever does) until effect number `last` is done. Called and
    /// returns with `condition` locked.
    private func carryOut(through last: UInt64) {
        while done < last {
            if busy {
                // Looked at again with the lock held: the carrier may have finished (and broadcast) just
                // after the spin gave up, before the lock was taken back.
                if !spunWhileBusy() && busy { condition.wait() }
            } else {
                carryOut()
            }
        }
    }

    /// Spins (with the lock released) while someone carries effects out, for a short while;
    /// true when they stopped within it. Called and returns with `condition` locked.
    private func spunWhileBusy() -> Bool {
        condition.unlock()
        defer { condition.lock() }
        for _ in 0..<Self.spins {
            if !carrying.load(ordering: .acquiring) { return true }
        }
        return false
    }

    /// How many times a waiter looks before it sleeps (about a few microseconds).
    private static let spins = 2_000

    /// Carries out queued effects if nobody else is; never waits. Call it with no lock held.
    public func drain() {
        condition.lock()
        defer { condition.unlock() }
        if !busy { carryOut() }
    }

    /// Runs `body` on the effects, after every effect queued before; for what is not an
    /// effect of a call (opening, closing, a reload's checks, reading state).
    public func withEffects<R>(_ body: (inout CallEffects) -> R) -> R {
        condition.lock()
        while busy || done < submitted {
            if busy { condition.wait() } else { carryOut() }
        }
        busy = true
        condition.unlock()
        let result = body(&effects)
        condition.lock()
        busy = false
        condition.broadcast()
        condition.unlock()
        return result
    }

    /// Waits until every effect queued so far is carried out (before the audit log and the
    /// ledger are closed at the end of a run).
    public func finish() {
        withEffects { _ in }
    }

    /// Takes the queue and carries it out with the lock released, until it is empty. Called
    /// with `condition` locked and `busy` false; returns with it locked and `busy` false.
    private func carryOut() {
        busy = true
        while !queue.isEmpty {
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let firstNumber = done + 1
            condition.unlock()
            let refused = effects.perform(batch: batch).map { (number: firstNumber + UInt64($0.offset), refusal: $0.refusal) }
            condition.lock()
            refusals.append(contentsOf: refused)
            done += UInt64(batch.count)
            condition.broadcast()
        }
        busy = false
    }
}
