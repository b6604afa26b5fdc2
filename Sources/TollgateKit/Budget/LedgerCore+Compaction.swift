#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LedgerCore {
    /// What compaction adds up: spend by tool, rules, scopes and time bucket (`Int64.min`: older
    /// than anything kept, without a window).
    private struct AggregateKey: Hashable {
        let tool: String?
        let rules: [String]
        let scopes: [String]
        let bucket: Int64
    }

    /// Compacts when the file holds more than `compactAt` lines. Failures are kept in
    /// `lastCompactionError` and do not fail the operation (its record is already written).
    mutating func compactIfNeeded(now: Int64) {
        guard maintenance == .inline, group == nil, compactionIsDue else { return }
        do throws(LedgerError) {
            try compact(now: now)
        } catch {
            compactionFailed(error)
        }
    }

    /// Whether the file holds more than `compactAt` lines.
    var compactionIsDue: Bool { records > compactAt }

    /// Keeps a compaction's failure and waits `compactAfter` more lines before the next try.
    mutating func compactionFailed(_ error: LedgerError) {
        lastCompactionError = error
        compactAt = records + compactAfter
    }

    /// Rewrites the log as a snapshot, under the lock: every event of the file, added up per
    /// tool, rules, scopes and window bucket (spend older than the window dropped; without a window,
    /// spend older than an hour folded into one event per tool and rules). The snapshot is written
    /// to `PATH.compact`, synced, a `compacted` marker is appended to the old file, and the
    /// snapshot is renamed over `PATH`. A crash at any step leaves either the old file (marker
    /// or not: a marker whose path still holds the same file is ignored) or the new one, both
    /// with the same totals.
    mutating func compact(now: Int64) throws(LedgerError) {
        var data: [UInt8] = []
        try file.read(at: 0, count: Int(offset), into: &data)
        let snapshot = Self.snapshot(of: data, clock: state.clock, pid: pid, now: now)
        try LedgerFile.writeCompacted(snapshot.bytes, for: file.path)
        try install(snapshot, tail: [], now: now)
        LedgerFile.syncDirectory(of: file.path)
    }

    /// The snapshot of the records in `data`: a header, then one `snapshot` record per tool,
    /// rules, scopes and bucket (see ``compact(now:)``); `count` lines.
    static func snapshot(of data: [UInt8], clock: SpendClock, pid: Int32, now: Int64) -> (bytes: [UInt8], count: Int) {
        var totals: [AggregateKey: BudgetUsage] = [:]
        var times: [AggregateKey: Int64] = [:]
        var order: [AggregateKey] = []
        LedgerRecord.forEachRecord(in: data) { record in
            guard let event = record.event else { return }
            var bucket = clock.bucket(of: event.time)
            var time = bucket * clock.width
            if clock.isExpired(bucket: bucket, now: now) {
                if clock.window != nil { return }
                bucket = .min
                time = event.time
            }
            let key = AggregateKey(tool: event.tool, rules: event.rules, scopes: event.spendScopes, bucket: bucket)
            if totals[key] == nil { order.append(key) }
            totals[key, default: .zero] += event.amount
            times[key] = Swift.max(times[key] ?? .min, time)
        }
        var snapshot = LedgerRecord(marker: .header, time: now).line()
        var count = 1
        for key in order {
            guard let amount = totals[key], !amount.isZero, let time = times[key] else { continue }
            snapshot += LedgerRecord(.snapshot, event: SpendEvent(time: time, tool: key.tool, rules: key.rules, amount: amount, spendScopes: key.scopes), pid: pid).line()
            count += 1
        }
        return (snapshot, count)
    }

    /// Puts the snapshot written to `PATH.compact` (with `tail`, the lines appended since what
    /// it adds up, `tailLines` of them, already appended to it) in place of the log, under the
    /// file lock: the `compacted` marker to the old file, the rename, the new file opened.
    mutating func install(_ snapshot: (bytes: [UInt8], count: Int), tail: [UInt8], tailLines: Int = 0, now: Int64) throws(LedgerError) {
        try append(LedgerRecord(marker: .compacted, time: now))
        try LedgerFile.installCompacted(for: file.path)
        try file.reopen()
        offset = Int64(snapshot.bytes.count + tail.count)
        size = offset
        records = snapshot.count + tailLines
        headerVersion = LedgerRecord.version
        compactAt = Swift.max(compactAfter, 2 * snapshot.count)
        compactions += 1
        // The tail is in the new file's page cache; the helper syncs it (``LedgerSync/everyRecord``
        // synced it before the rename).
        unsynced = !tail.isEmpty && sync != .everyRecord
    }

    /// Where a compaction off the locks starts (``LedgerMaintenance/background``): the bytes of
    /// the file replayed so far, which it reads on a duplicate descriptor with no lock held.
    struct CompactionStart {
        let end: Int64
        let device: UInt64
        let inode: UInt64
        let descriptor: Int32
    }

    /// Phase one of a compaction off the locks (under the core's mutex only): nil when a group
    /// is open or the file cannot be looked at.
    func beginCompaction() -> CompactionStart? {
        guard group == nil, let status = try? file.status() else { return nil }
        let descriptor = dup(file.fd)
        guard descriptor >= 0 else { return nil }
        return CompactionStart(end: offset, device: status.device, inode: status.inode, descriptor: descriptor)
    }

    /// Phase three (under the file lock, caught up): the lines appended since phase one go to
    /// the snapshot's end, which then takes the log's place. Nothing happens (false) when
    /// another process compacted meanwhile.
    mutating func finishCompaction(_ start: CompactionStart, snapshot: (bytes: [UInt8], count: Int), now: Int64) throws(LedgerError) -> Bool {
        let status = try file.status()
        guard status.device == start.device, status.inode == start.inode, offset >= start.end else { return false }
        var tail: [UInt8] = []
        try file.read(at: start.end, count: Int(offset - start.end), into: &tail)
        let tailLines = tail.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if !tail.isEmpty { try LedgerFile.appendCompacted(tail, for: file.path, sync: sync == .everyRecord) }
        try install(snapshot, tail: tail, tailLines: tailLines, now: now)
        return true
    }
}
