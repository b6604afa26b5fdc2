/// Who compacts a ledger and makes its batched syncs.
public enum LedgerMaintenance: Sendable, Hashable {
    /// The operation that finds them due, under the ledger's locks (tools, tests).
    case inline
    /// A helper thread, started when a write leaves them due and ending when nothing is left:
    /// a batched sync runs on a duplicate of the descriptor with no lock held, a compaction
    /// under the locks (an operation that waits for it is counted in
    /// ``LedgerStats/waitedOnMaintenance``). What the gate uses: neither is on a call's path.
    case background
}
