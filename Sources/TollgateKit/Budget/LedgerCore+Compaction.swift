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
            lastCompactionError = error
            compactAt = records + compactAfter
        }
    }

    /// Whether the file holds more than `compactAt` lines.
    var compactionIsDue: Bool { records > compactAt }

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
        let clock = state.clock
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
        try append(LedgerRecord(marker: .compacted, time: now))
        try file.replace(with: snapshot)
        try file.reopen()
        offset = Int64(snapshot.count)
        size = offset
        records = count
        compactAt = Swift.max(compactAfter, 2 * count)
        compactions += 1
        unsynced = false
    }
}
