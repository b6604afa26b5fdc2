import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock every writer of one audit log takes around an append, and the state of the chain it
/// guards (which file the chain continues in, that file's size and the last record's hash).
///
/// Both live in a small file beside the log, `.NAME.lock` in the log's directory, which every
/// writer maps: a robust, process-shared mutex, so that taking and releasing the lock costs no
/// system call while no other writer holds it, and a writer that dies holding it hands it on to
/// the next one (which then reads the chain back from the log). The lock file is named after the
/// log, not tied to one inode, so it outlives rotations. A lock file removed or replaced while
/// writers run is followed: each writer checks the name when it checks the log's
/// (then ``remap()``), so all of them come to share the one the name leads to.
///
/// One log's lock is only used under that log's state lock, which guards its mapping.
package final class AuditLock: @unchecked Sendable {
    /// Where the chain stands, as the last writer left it.
    struct Chain: Equatable {
        /// The file the chain continues in.
        var identity: AuditFile.Identity
        /// That file's size after the last record.
        var size: Int
        /// The last record's hash.
        var hash: String
        /// The last record's `seq` (0 before the first record).
        var seq: Int
    }

    /// The lock file.
    let path: String
    /// The permissions a lock file this writer creates gets.
    let mode: mode_t
    /// Which file is mapped.
    private(set) var identity: AuditFile.Identity
    private var region: UnsafeMutableRawPointer

    private init(path: String, mode: mode_t) throws(AuditError) {
        var (device, inode): (UInt64, UInt64) = (0, 0)
        guard let region = tg_audit_lock_open(path, mode, &device, &inode) else {
            throw errno == EPROTO ? .foreignLock(path: path) : .system(.lock, path: path, errno: errno)
        }
        self.path = path
        self.mode = mode
        self.region = region
        identity = AuditFile.Identity(device: device, inode: inode)
    }

    deinit {
        tg_audit_lock_close(region)
    }

    /// The lock file of the log at `logPath`: `.NAME.lock` beside it (hidden, so that a glob
    /// like `audit.log*` names only the log and its rotations), in the log's directory with its
    /// symbolic links resolved, so that writers naming the directory differently share one lock.
    /// (Writers must name the log itself by one name: a link to the log gets a lock of its own.)
    package static func path(forLog logPath: String) -> String {
        let slash = logPath.lastIndex(of: "/")
        let directory = slash.map { $0 == logPath.startIndex ? "/" : String(logPath[..<$0]) } ?? "."
        let name = slash.map { String(logPath[logPath.index(after: $0)...]) } ?? logPath
        guard let resolved = realpath(directory, nil) else {
            return slash == nil ? ".\(name).lock" : "\(directory == "/" ? "" : directory)/.\(name).lock"
        }
        defer { free(resolved) }
        let real = String(cString: resolved)
        return "\(real == "/" ? "" : real)/.\(name).lock"
    }

    /// Maps the lock file of the log at `logPath`, creating it with `mode` if needed.
    static func open(forLog logPath: String, mode: mode_t) throws(AuditError) -> AuditLock {
        try AuditLock(path: path(forLog: logPath), mode: mode)
    }

    /// Maps the lock file the name leads to now (creating it if needed), in place of the one
    /// mapped, which was removed or replaced. Call it without holding the lock.
    func remap() throws(AuditError) {
        let current = try AuditLock(path: path, mode: mode)
        swap(&region, &current.region)
        swap(&identity, &current.identity)
        // `current` now holds the old mapping, which its deinit unmaps.
    }

    /// Takes the lock (waiting for another writer) and returns where the chain stands (nil when
    /// that is unknown: a new lock file) and whether the previous holder died holding the lock
    /// (perhaps inside a write): then the chain is where the last writer that finished left it,
    /// and the file may hold more. `known` is where this writer last left the chain: when the
    /// chain still stands there, its hash is taken from it instead of decoded again.
    func acquire(known: Chain?) throws(AuditError) -> (chain: Chain?, holderDied: Bool) {
        var chain = tg_audit_chain_t()
        let result = tg_audit_lock_acquire(region, &chain)
        guard result >= 0 else { throw .system(.lock, path: path, errno: errno) }
        guard chain.valid != 0 else { return (nil, result == 1) }
        let identity = AuditFile.Identity(device: chain.device, inode: chain.inode)
        let size = Int(chain.size)
        if let known, known.identity == identity, known.size == size { return (known, result == 1) }
        let hash = withUnsafeBytes(of: chain.hash) { String(decoding: $0, as: UTF8.self) }
        return (Chain(identity: identity, size: size, hash: hash, seq: Int(chain.seq)), result == 1)
    }

    /// Stores where the chain now stands (nil: leaves it as it was) and releases the lock.
    func release(storing chain: Chain?) {
        guard let chain else { return tg_audit_lock_release(region, nil) }
        var shared = tg_audit_chain_t()
        shared.device = chain.identity.device
        shared.inode = chain.identity.inode
        shared.size = Int64(chain.size)
        shared.seq = Int64(chain.seq)
        withUnsafeMutableBytes(of: &shared.hash) { hash in
            var text = chain.hash
            text.withUTF8 { utf8 in hash.copyMemory(from: UnsafeRawBufferPointer(start: utf8.baseAddress, count: min(utf8.count, hash.count))) }
        }
        shared.valid = 1
        tg_audit_lock_release(region, &shared)
    }

}
