import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Budgets that survive restarts and are shared by several Tollgate processes
/// (`budgets.ledger: "path"`): an append-only log of spend records (see ``LedgerRecord``),
/// replayed into a ``BudgetState``.
///
/// Reserve before forwarding, settle after: a reservation locks the ledger (``LedgerLock``, in
/// `PATH.lock`), replays what other processes appended since this one last looked (only the new
/// tail is read), checks the caps, appends a `reserve` record and unlocks; the call is forwarded
/// only once its record is written. So processes sharing a ledger share its caps exactly, and a
/// crash at any moment can leave a reservation without its settle (counted as spent: an
/// over-count), never a forwarded call without its reservation (see ``LedgerSync`` for what an
/// OS crash can lose). A torn last line is detected by its checksum, ignored, and cut off by
/// the next writer.
///
/// When the log exceeds `compactAfter` lines, the writer that notices compacts it into a snapshot
/// renamed over the path atomically (see ``LedgerCore/compact(now:)``); with
/// ``LedgerMaintenance/background``, a helper thread does, and makes the batched syncs.
///
/// Group commit: between ``beginGroup()`` and ``commitGroup(now:)``, operations take the file
/// lock and catch up once, and their records go out in one `write` (one `fdatasync` with
/// ``LedgerSync/everyRecord``) when the group is committed; if that write fails, every change of
/// the group is taken back and none of its calls may be forwarded.
///
/// Rate limits are not kept in the ledger (see ``RateLimiter``). Thread-safe: operations of one
/// instance are serialized by a mutex; instances in one or several processes by the file lock.
public final class Ledger: BudgetAccount {
    /// The ledger's path.
    public let path: String
    /// When records are forced to the disk.
    public let sync: LedgerSync
    /// Who compacts and makes the batched syncs.
    public let maintenance: LedgerMaintenance
    private let core: Mutex<LedgerCore>
    /// Whether the helper thread runs, and whether it is compacting now.
    private let helperRunning = Atomic<Bool>(false)
    private let compacting = Atomic<Bool>(false)

    /// Opens (or creates) the ledger at `path` and replays it.
    public init(path: String, limits: BudgetLimits, sync: LedgerSync = .batched(intervalMs: 50),
                compactAfter: Int = 10_000, maintenance: LedgerMaintenance = .inline, now: Int64) throws(LedgerError) {
        self.path = path
        self.sync = sync
        self.maintenance = maintenance
        var core = LedgerCore(file: try LedgerFile(path: path), limits: limits, sync: sync,
                              compactAfter: Swift.max(compactAfter, 16), maintenance: maintenance, now: now)
        // A new file, or one of an older format (locked with `flock`), gets a header of this
        // format, written also under the `flock` of the older one: a writer of that format then
        // finishes what it does first and refuses the ledger before it decides anything more, so
        // no two processes count against the file under different locks.
        let former = try LedgerFile.takeFormerLock(path: core.file.lockPath)
        defer { LedgerFile.releaseFormerLock(former) }
        try core.locked(now: now) { core throws(LedgerError) in
            if core.offset == 0 || core.headerVersion < LedgerRecord.version { try core.append(LedgerRecord(marker: .header, time: now)) }
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
        try withCore { core throws(LedgerError) -> BudgetDecision in
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
                    core.group?.undo.append((-reservation.amount, reservation.time, reservation.route))
                    core.group?.reservations += 1
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
        try withCore { core throws(LedgerError) -> SamplingDecision in
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
                    core.group?.undo.append((BudgetUsage(samplingTokens: -grant.maxTokens), grant.time, 0))
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
        try withCore { core throws(LedgerError) -> [BudgetCrossing] in
            let increase = amount.calls >= 0 && amount.cost >= 0 && amount.resultTokens >= 0 && amount.samplingTokens >= 0
            var applied = false
            do throws(LedgerError) {
                return try core.locked(now: now) { core throws(LedgerError) -> [BudgetCrossing] in
                    try core.append(kind, core.state.event(amount, at: time, route: route))
                    let own = core.state.apply(amount, at: time, route: route)
                    applied = true
                    // A decrease not written is reverted (the spend stays counted); an increase stays.
                    if !increase { core.group?.undo.append((-amount, time, route)) }
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
        try withCore { core throws(LedgerError) -> Forecast in
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

    /// The batch interval of a ledger with batched fsync that the gate must sync on a timer
    /// (``LedgerMaintenance/inline``); nil otherwise.
    public var syncIntervalMilliseconds: Int64? {
        if case .batched(let interval) = sync, maintenance == .inline { interval } else { nil }
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
                        compactions: core.compactions, lastCompactionError: core.lastCompactionError,
                        writes: core.writes, waitedOnMaintenance: core.waitedOnMaintenance, looks: core.looks)
        }
    }

    /// Whether the file was removed, renamed or replaced from outside since this instance last
    /// looked at it (the watch tells asynchronously; always true without one).
    var fileMayHaveChanged: Bool { core.withLock { $0.file.watch?.changed ?? true } }

    // MARK: - Group commit

    /// Opens a group: until ``commitGroup(now:)``, operations lock the file once and their
    /// records are written together. Their results stand only if the commit succeeds.
    public func beginGroup() {
        core.withLock { core in
            if core.group == nil { core.group = LedgerCore.Group() }
        }
    }

    /// Writes the group's records in one `write` and releases the file lock; throws when they
    /// could not be written (the group's changes are then taken back: deny its calls).
    public func commitGroup(now: Int64) throws(LedgerError) {
        try withCore { core throws(LedgerError) in
            try core.commitGroup(now: now)
            if core.maintenance == .inline, core.compactionIsDue {
                try core.locked(now: now) { core in core.compactIfNeeded(now: now) }
            }
        }
    }

    // MARK: - Maintenance

    /// Runs an operation on the core, counting it when the helper compacts meanwhile, and
    /// starts the helper when the operation left a sync or a compaction due.
    private func withCore<R>(_ body: (inout LedgerCore) throws(LedgerError) -> R) throws(LedgerError) -> R {
        let waiting = compacting.load(ordering: .acquiring)
        let (result, due) = try core.withLock { (core: inout LedgerCore) throws(LedgerError) -> (R, Bool) in
            // A group that waited counts its calls when it is committed.
            if waiting, core.group != nil { core.group?.waited = true } else if waiting { core.waitedOnMaintenance += 1 }
            let result = try body(&core)
            return (result, maintenance == .background && core.group == nil && Self.maintenanceIsDue(core))
        }
        if due, helperRunning.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            startThread { [self] in helperLoop() }
        }
        return result
    }

    /// Compacts with the locks held only to finish: the file as it stood is read and added up,
    /// and its snapshot written and synced, with no lock held; then, under the locks, the lines
    /// appended meanwhile are appended to the snapshot, which takes the log's place (see
    /// ``LedgerCore/finishCompaction(_:snapshot:now:)``). Tried again later when a group is open.
    /// `whileUnlocked` runs once the snapshot is written, `whileLocked` once the locks are taken
    /// to finish (tests append there).
    func compactOffTheLocks(now: Int64, whileUnlocked: () -> Void = {}, whileLocked: () -> Void = {}) {
        guard let (start, clock, pid) = core.withLock({ core in core.beginCompaction().map { ($0, core.state.clock, core.pid) } }) else { return }
        var data: [UInt8] = []
        let read = Result { () throws(LedgerError) in try LedgerFile.read(start.descriptor, path: path, at: 0, count: Int(start.end), into: &data) }
        close(start.descriptor)
        let snapshot = LedgerCore.snapshot(of: data, clock: clock, pid: pid, now: now)
        do throws(LedgerError) {
            try read.get()
            try LedgerFile.writeCompacted(snapshot.bytes, for: path)
        } catch {
            core.withLock { $0.compactionFailed(error) }
            return
        }
        whileUnlocked()
        let installed = core.withLock { core -> Bool in
            guard core.group == nil else { return false }
            // Only while the locks are held for it: an operation that begins now waits for it.
            compacting.store(true, ordering: .releasing)
            defer { compacting.store(false, ordering: .releasing) }
            whileLocked()
            do throws(LedgerError) {
                return try core.locked(now: now) { core throws(LedgerError) in try core.finishCompaction(start, snapshot: snapshot, now: now) }
            } catch {
                core.compactionFailed(error)
                return false
            }
        }
        if installed { LedgerFile.syncDirectory(of: path) } else { unlink(LedgerFile.compactedPath(for: path)) }
    }

    private static func maintenanceIsDue(_ core: borrowing LedgerCore) -> Bool {
        if core.compactionIsDue { return true }
        if case .batched = core.sync { return core.unsynced }
        return false
    }

    /// The helper: within a batch interval of a write, syncs (on a duplicate descriptor, with no
    /// lock held) and compacts when due; ends when nothing is left to do.
    private func helperLoop() {
        let interval = if case .batched(let interval) = sync { interval } else { Int64(50) }
        while true {
            usleep(useconds_t(Swift.max(interval, 1) * 1000))
            let now = GateClock.system.wallMilliseconds()
            if core.withLock({ $0.compactionIsDue && $0.group == nil }) { compactOffTheLocks(now: now) }
            let descriptor = core.withLock { core -> Int32? in
                guard core.unsynced, case .batched = core.sync else { return nil }
                core.unsynced = false
                core.lastSync = now
                return dup(core.file.fd)
            }
            if let descriptor {
                // Not synced (no descriptor, or the sync failed): tried again next round, and by
                // ``flush()`` at the end, which throws.
                if descriptor < 0 || LedgerFile.syncData(descriptor) != 0 { core.withLock { $0.unsynced = true } }
                if descriptor >= 0 { close(descriptor) }
            }
            let idle = core.withLock { core -> Bool in
                let idle = !Self.maintenanceIsDue(core)
                if idle { helperRunning.store(false, ordering: .releasing) }
                return idle
            }
            if idle { return }
        }
    }
}
