extension Ledger {
    /// Every spend event of the ledger at `path`, read without changing the file (for `tollgate
    /// budget show`). Damaged lines are skipped; a torn last line is ignored. No lock is needed:
    /// writers only append whole lines (cutting off a torn one first) and compaction renames a
    /// whole new file into place, so what is read is the ledger as it stood at some moment, with
    /// perhaps a partial last line (ignored) or a `compacted` marker (read again from the new file).
    public static func readEvents(path: String) throws(LedgerError) -> [SpendEvent] {
        while true {
            let file = try LedgerFile(path: path, readOnly: true)
            var data: [UInt8] = []
            try file.read(at: 0, count: Int(try file.status().size), into: &data)
            var events: [SpendEvent] = []
            var moved = false
            var newer: Int?
            LedgerRecord.forEachRecord(in: data) { record in
                switch record.kind {
                case .header: if let version = record.version, version > LedgerRecord.version { newer = version }
                case .compacted: moved = true
                default: if let event = record.event { events.append(event) }
                }
            }
            if let newer {
                throw LedgerError(path: path, message: "written by a newer Tollgate (ledger format \(newer), this one reads \(LedgerRecord.version))")
            }
            if moved {
                let current = try file.identityAtPath()
                let ours = try file.status()
                if current.device != ours.device || current.inode != ours.inode { continue }
            }
            return events
        }
    }

    /// The forecast of the ledger at `path` read through `limits` (`tollgate budget show`).
    public static func forecast(path: String, limits: BudgetLimits, now: Int64) throws(LedgerError) -> Forecast {
        Forecast(limits: limits, events: try readEvents(path: path), now: now)
    }
}
