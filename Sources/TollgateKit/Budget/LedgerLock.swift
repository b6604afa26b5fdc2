import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock every writer of one ledger takes around an operation, and where the ledger stands
/// as the last writer left it: which file, and its size after the last record written under
/// the lock.
///
/// Both live in the ledger's lock file `PATH.lock` (never replaced, so it outlives compaction),
/// which every writer maps: a robust, process-shared mutex (as ``AuditLock``), so that taking and
/// releasing the lock costs no system call while no other writer holds it (`flock` was two), and
/// a writer that dies holding it hands it on with the position unknown (the next one then looks
/// at the file, and cuts off a record it tore). While the position names the writer's own file,
/// the writer learns from it what others appended, without an `fstat`.
///
/// Ledger format 2 (``LedgerRecord/version``) goes with this lock: a Tollgate that locks with
/// `flock` refuses a format-2 ledger, so processes never count against one file under two kinds
/// of lock (see ``Ledger/init(path:limits:sync:compactAfter:maintenance:now:)``).
final class LedgerLock: @unchecked Sendable {
    /// A ledger file's identity and size.
    struct Position: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
    }

    /// The lock file.
    let path: String
    private let region: UnsafeMutableRawPointer

    /// Maps the lock file at `path`, creating it with `mode` if needed.
    init(path: String, mode: mode_t) throws(LedgerError) {
        guard let region = tg_ledger_lock_open(path, mode) else {
            if errno == EPROTO { throw LedgerError(path: path, message: "not a ledger lock file of this Tollgate") }
            throw .system(path, "open")
        }
        self.path = path
        self.region = region
    }

    deinit {
        tg_ledger_lock_close(region)
    }

    /// Takes the lock (waiting for another writer) and returns where the ledger stands, or nil
    /// when that is unknown (a new lock file, a write that failed, a writer that died holding it).
    func acquire() throws(LedgerError) -> Position? {
        var shared = tg_ledger_position_t()
        guard tg_ledger_lock_acquire(region, &shared) >= 0 else { throw .system(path, "lock") }
        guard shared.valid != 0 else { return nil }
        return Position(device: shared.device, inode: shared.inode, size: shared.size)
    }

    /// Stores where the ledger now stands (nil: unknown, so that the next writer looks at the
    /// file) and releases the lock.
    func release(storing position: Position?) {
        guard let position else { return tg_ledger_lock_release(region, nil) }
        var shared = tg_ledger_position_t()
        shared.device = position.device
        shared.inode = position.inode
        shared.size = position.size
        shared.valid = 1
        tg_ledger_lock_release(region, &shared)
    }
}
