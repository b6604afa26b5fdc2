/// What a ``Ledger`` instance has seen.
public struct LedgerStats: Sendable, Equatable {
    /// Lines in the current file (records and damaged lines).
    public var lines: Int
    /// Bytes of the current file replayed.
    public var bytes: Int64
    /// Damaged lines skipped (a checksum that does not match), torn tails excluded.
    public var skippedLines: Int
    /// Compactions this instance made.
    public var compactions: Int
    /// The last compaction that failed, if any.
    public var lastCompactionError: LedgerError?
    /// Writes to the data file (a group commit writes its records in one).
    public var writes = 0
    /// Calls whose reservation (or other operation) waited for the helper's compaction
    /// (``LedgerMaintenance/background``; its syncs hold no lock, so nothing waits for them):
    /// every call of a group that waited.
    public var waitedOnMaintenance = 0
    /// Times this instance looked at the file itself (`fstat`) to catch up, instead of taking
    /// where it ends from the lock file (see ``LedgerLock``).
    public var looks = 0
}
