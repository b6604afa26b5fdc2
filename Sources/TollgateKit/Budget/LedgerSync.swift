/// When a ledger forces its records to the disk (`fdatasync`).
///
/// What survives what:
/// - A process crash (`kill -9`, a trap) loses nothing in any mode: a record is appended with
///   `write()` before the call is forwarded, and written data lives in the kernel's page cache,
///   which outlives the process. The only partial state a crash leaves is a torn last line (a
///   crash inside `write()`), which has no valid checksum and is ignored and cut off; its call
///   was never forwarded.
/// - An OS crash or power loss loses what was written after the last sync. With
///   ``everyRecord`` that is nothing that was forwarded (the reserve record is synced before the
///   call goes out; a crash between sync and forwarding over-counts). With ``batched(intervalMs:)``
///   the calls reserved in the last interval may be lost after the reboot although they ran:
///   an under-count of at most what was spent in one interval. ``never`` leaves it to the kernel's
///   write-back (about 5 to 30 s).
public enum LedgerSync: Sendable, Hashable {
    /// `fdatasync` after every record, before the operation returns.
    case everyRecord
    /// `fdatasync` when a record is written at least `intervalMs` after the last sync, when
    /// ``Ledger/syncIfDue(now:)`` finds unsynced records that old, and on ``Ledger/flush()``
    /// (call it at exit; the ledger's `deinit` does too).
    case batched(intervalMs: Int64)
    /// Never forces (tests, or a ledger on a RAM disk).
    case never
}
