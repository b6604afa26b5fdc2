#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one ``Ledger`` instance, behind its mutex: the open files, the budgets replayed
/// from the log, and how far the log has been replayed.
///
/// Every operation runs under the writers' lock (``LedgerLock``): catch up (read only the bytes
/// appended since the last operation, by any process, and apply their records), decide, append.
/// Because the lock is held from catching up to appending, the decision sees every record
/// before it: several processes share the caps exactly. Where the file ends is taken from the
/// lock file while it names this writer's file, nothing changed the file from outside (its
/// ``FileWatch``) and the file was looked at within ``positionTrustNanoseconds``; otherwise the
/// writer looks at the file (`fstat`).
struct LedgerCore: ~Copyable {
    var file: LedgerFile
    var state: BudgetState
    let sync: LedgerSync
    let compactAfter: Int
    let pid: Int32
    /// Bytes of the current file replayed (always at a line boundary).
    var offset: Int64 = 0
    /// The file's size at the last catch-up; beyond `offset` lies a torn line.
    var size: Int64 = 0
    /// The highest format version of the current file's `header` records (see ``Ledger/init(path:limits:sync:compactAfter:maintenance:now:)``).
    var headerVersion = 0
    /// When this writer last looked at the file itself (monotonic nanoseconds).
    var lookedAt: Int64 = .min / 2
    /// Lines in the current file (records and damaged lines).
    var records = 0
    /// Compact when `records` exceeds this.
    var compactAt: Int
    /// Whether records were written since the last sync, and when that sync was.
    var unsynced = false
    var lastSync: Int64
    /// Crossings found while catching up, returned with the next operation's result.
    var crossings: [BudgetCrossing] = []
    /// Counters for ``LedgerStats``.
    var skippedLines = 0
    var compactions = 0
    var lastCompactionError: LedgerError?
    /// The read buffer, reused.
    var buffer: [UInt8] = []
    /// The records of the open group commit (see ``Ledger/beginGroup()``), nil when none is open.
    var group: Group?
    /// Writes made to the data file (one per record, or one per group), and the calls that
    /// waited for the helper's compaction, for ``LedgerStats``.
    var writes = 0
    var waitedOnMaintenance = 0
    /// Times the file was looked at (`fstat`) to catch up, for ``LedgerStats``.
    var looks = 0
    /// Whether a helper thread compacts and syncs (see ``LedgerMaintenance``).
    let maintenance: LedgerMaintenance

    /// Records appended while a group is open: written together by ``commitGroup(now:)``, under
    /// the file lock the group's first operation took.
    struct Group {
        /// The lines to write, in order.
        var lines: [UInt8] = []
        var count = 0
        /// Whether the file lock is held (and the budgets caught up).
        var locked = false
        /// What to apply to the budgets if the write fails: the reservations and grants of the
        /// group taken back, and the decreases it applied reverted (the spend stays counted).
        var undo: [(amount: BudgetUsage, time: Int64, route: Int)] = []
        /// The calls reserved in the group, and whether it waited for the helper's compaction.
        var reservations = 0
        var waited = false
    }

    /// How long the position in the lock file is taken without looking at the file itself.
    static let positionTrustNanoseconds: Int64 = 100_000_000

    init(file: consuming LedgerFile, limits: BudgetLimits, sync: LedgerSync, compactAfter: Int, maintenance: LedgerMaintenance, now: Int64) {
        self.file = file
        self.maintenance = maintenance
        state = BudgetState(limits: limits)
        self.sync = sync
        self.compactAfter = compactAfter
        compactAt = compactAfter
        pid = getpid()
        lastSync = now
    }

    /// Runs `body` under the writers' lock after catching up, then syncs as ``sync`` says (after
    /// releasing the lock, so other processes do not wait for the disk).
    /// In a group, the first operation takes the lock and catches up; the lock is held until
    /// the group is committed. After a failure the lock file's position is left unknown, so
    /// the next writer looks at the file.
    mutating func locked<R>(now: Int64, _ body: (inout LedgerCore) throws(LedgerError) -> R) throws(LedgerError) -> R {
        state.advance(to: now)
        if group != nil {
            if group?.locked == false {
                let shared = try file.lock()
                do {
                    try catchUp(from: shared)
                } catch {
                    file.unlock(size: nil)
                    throw error
                }
                group?.locked = true
            }
            return try body(&self)
        }
        let shared = try file.lock()
        let result: R
        do {
            try catchUp(from: shared)
            result = try body(&self)
        } catch {
            file.unlock(size: nil)
            throw error
        }
        file.unlock(size: knownEnd)
        try syncAfterWrite(now: now)
        return result
    }

    /// Where the file ends when that is where this writer's records end (nothing torn beyond).
    var knownEnd: Int64? { size == offset ? offset : nil }

    /// The crossings gathered so far, plus `own`; clears them.
    mutating func takeCrossings(adding own: [BudgetCrossing] = []) -> [BudgetCrossing] {
        if crossings.isEmpty { return own }
        let all = crossings + own
        crossings = []
        return all
    }

    /// Reads and applies every complete line appended since the last catch-up, up to where
    /// `shared` (the lock file's position) says the file ends, or (when it cannot be taken, see
    /// ``LedgerCore``) where the file says. Follows a `compacted` marker to the new file at the
    /// path (replaying it into reset budgets).
    mutating func catchUp(from shared: LedgerLock.Position?) throws(LedgerError) {
        var shared = shared
        while true {
            let status: (size: Int64, device: UInt64, inode: UInt64)
            if let known = shared, known.device == file.device, known.inode == file.inode, known.size >= offset, !(file.watch?.changed ?? true),
               SystemClock.nanoseconds(CLOCK_MONOTONIC) - lookedAt <= Self.positionTrustNanoseconds {
                status = (known.size, known.device, known.inode)
            } else {
                file.watch?.acknowledge()
                lookedAt = SystemClock.nanoseconds(CLOCK_MONOTONIC)
                looks += 1
                status = try file.status()
            }
            shared = nil
            if status.size < offset {
                // Only compaction replaces the file, and it never shrinks it in place: start over.
                restart()
            }
            size = status.size
            guard size > offset else { return }
            var data: [UInt8] = []
            swap(&data, &buffer)
            defer { swap(&data, &buffer) }
            try file.read(at: offset, count: Int(size - offset), into: &data)
            let outcome = data.withUnsafeBytes { apply(lines: $0) }
            switch outcome {
            case .done: return
            case .newer(let version):
                throw LedgerError(path: file.path, message: "written by a newer Tollgate (ledger format \(version), this one reads \(LedgerRecord.version)); refusing to count against it")
            case .compacted:
                let current = try file.identityAtPath()
                let ours = try file.status()
                if current.device == ours.device && current.inode == ours.inode { continue }
                try file.reopen()
                restart()
            }
        }
    }

    /// Forgets what was replayed, to replay the file (a new one) from its start.
    private mutating func restart() {
        state.resetSpend()
        offset = 0
        records = 0
        headerVersion = 0
    }

    enum ReplayOutcome { case done, compacted, newer(Int) }

    /// Applies the complete lines of `bytes` (read at `offset`), advancing `offset` past each.
    private mutating func apply(lines bytes: UnsafeRawBufferPointer) -> ReplayOutcome {
        guard let base = bytes.baseAddress else { return .done }
        var start = 0
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let end = base.distance(to: UnsafeRawPointer(found))
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            offset += Int64(end - start + 1)
            start = end + 1
            records += 1
            guard let record = LedgerRecord.decode(line) else {
                skippedLines += 1
                continue
            }
            switch record.kind {
            case .header:
                guard let version = record.version else { break }
                if version > LedgerRecord.version { return .newer(version) }
                headerVersion = Swift.max(headerVersion, version)
            case .compacted:
                return .compacted
            default:
                if let event = record.event { crossings += state.apply(event) }
            }
        }
        return .done
    }

    /// Appends one record (after cutting off a torn last line left by a crashed writer); in a
    /// group, adds it to the group's write.
    mutating func append(_ record: LedgerRecord) throws(LedgerError) {
        if group != nil {
            record.appendLine(to: &group!.lines)
            group?.count += 1
            return
        }
        if size > offset {
            try file.truncate(to: offset)
            size = offset
        }
        let line = record.line()
        try file.append(line, end: offset)
        offset += Int64(line.count)
        size = offset
        records += 1
        writes += 1
        unsynced = true
    }

    /// Writes the open group's records in one `write`, releases the file lock and syncs as
    /// ``sync`` says. If the write fails, nothing of it stays in the file, the group's changes
    /// are taken back (``Group/undo``) and the error is thrown.
    mutating func commitGroup(now: Int64) throws(LedgerError) {
        guard let group else { return }
        self.group = nil
        if group.waited { waitedOnMaintenance += Swift.max(group.reservations, 1) }
        guard group.locked else { return }
        if group.count > 0 {
            do throws(LedgerError) {
                if size > offset {
                    try file.truncate(to: offset)
                    size = offset
                }
                try file.append(group.lines, end: offset)
            } catch {
                file.unlock(size: nil)
                for change in group.undo.reversed() { _ = state.apply(change.amount, at: change.time, route: change.route) }
                throw error
            }
            offset += Int64(group.lines.count)
            size = offset
            records += group.count
            writes += 1
            unsynced = true
        }
        file.unlock(size: knownEnd)
        try syncAfterWrite(now: now)
    }

    /// Appends a spend event made by this process.
    mutating func append(_ kind: LedgerRecord.Kind, _ event: SpendEvent) throws(LedgerError) {
        try append(LedgerRecord(kind, event: event, pid: pid))
    }

    /// Syncs as ``sync`` says after a write (a batched sync is the helper's with
    /// ``LedgerMaintenance/background``).
    mutating func syncAfterWrite(now: Int64) throws(LedgerError) {
        guard unsynced else { return }
        switch sync {
        case .everyRecord: try syncNow(now: now)
        case .batched(let interval): if maintenance == .inline && now - lastSync >= interval { try syncNow(now: now) }
        case .never: break
        }
    }

    /// Forces what was written to the disk.
    mutating func syncNow(now: Int64) throws(LedgerError) {
        try file.sync()
        unsynced = false
        lastSync = now
    }
}
