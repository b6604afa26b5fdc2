import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit trail writer: appends one sealed record per line to a file that any number of
/// Tollgate processes may share, keeping one hash chain across all of them.
///
/// Each ``append(_:)`` takes the log's lock (``AuditLock``: a process-shared mutex in a small
/// file beside the log, which also holds where the chain stands: the file it continues in, that
/// file's size, the last record's hash and `seq`), fills in `time` (unless set), `seq` (the
/// record's position in the chain, one count for every writer), `run`, `prev` and `alg`, seals the record (``AuditRecord/seal(key:)``), writes it in one `write` on its
/// `O_APPEND` descriptor, stores the new chain state and releases the lock. While no other writer
/// holds the lock, that is one system call per record. A record that cannot be written throws,
/// and nothing of it stays in the file, so the caller can fail closed.
///
/// The log itself is looked at only when the shared state cannot be trusted as it is: a new lock
/// file, a writer that died holding the lock (perhaps inside a write), a chain that continues in
/// another file, a file removed, renamed or changed in its metadata from outside
/// (``FileWatch``: records must not go to a deleted file), or every
/// ``pathCheckIntervalNanoseconds``. Then the log checks that `path` still names its file (a
/// rename from outside Tollgate is followed; records written before stay in the renamed file) and
/// that the file has the size the chain says (a file truncated or appended to from outside: the
/// chain continues from its last known record, so the verifier shows what was cut or added).
///
/// A call's outcome record may be queued (``appendLater(entry:)``) so that it is written after the
/// response it describes has been relayed: with the next record in the same `write`, by
/// ``writePending()`` (which the relay calls once it has written to the client), by a helper
/// thread within ``batchIntervalMilliseconds``, or on ``flush()`` and ``close()``. Its `time` is
/// when it was queued.
///
/// Durability (`fsync`): ``Durability/always`` calls `fdatasync` after every `write` before
/// `append` returns; ``Durability/batch`` returns once the record is written and the helper thread
/// calls `fdatasync` within ``batchIntervalMilliseconds`` (at most once per interval; the thread
/// ends when the log is idle), and ``close()`` syncs. A failed background write or sync is thrown
/// by the next `append`.
///
/// File start: the first record of every file is a `file_start` record, written by whichever
/// writer writes to the empty file first, under the lock, in the same `write` as its own records;
/// its `seq` and `prev` continue the chain, so a file whose head was cut, or a log whose first
/// files are missing, shows (see ``AuditVerifier``).
///
/// Rotation: with `rotateMB`, a record that would take a non-empty file past that many MiB first
/// renames the file to `path.1` (after shifting `path.1`…`path.9` to `.2`…`.10`; the oldest,
/// `path.10`, is removed), under the lock, and starts a new file at `path` with its `file_start`
/// record (whose `prev` is the last hash of `path.1`) before the lock is released; the chain state
/// then names the new file, so every other writer follows at once. Any writer that finds `path`
/// empty with no chain state continues from `path.1` the same way.
///
/// A writer that died holding the lock may have left a torn record (`kill -9` between two pages
/// of a `write`): the next writer cuts it off, since it never became part of the chain, keeping
/// every byte the last writer that finished left. Any other file whose last line is a partial
/// record gets a newline before the next record; the chain continues from the last complete
/// record, and the verifier reports the partial line. A last complete line that is not a record stops the log (``AuditError/corruptTail(path:)``).
public final class AuditLog: Sendable {
    /// When records reach stable storage.
    public enum Durability: String, Sendable, CaseIterable {
        /// `fdatasync` within ``AuditLog/batchIntervalMilliseconds`` of a write, and on close.
        case batch
        /// `fdatasync` after every record.
        case always
    }

    /// How long a record may wait for `fdatasync` in batch mode, and a queued outcome record for its `write`.
    public static let batchIntervalMilliseconds = 100

    /// How often a writer checks the log against its name and the chain state (see ``AuditLog``).
    static let pathCheckIntervalNanoseconds: Int64 = 100_000_000

    /// The rotated files kept: `path.1` (newest) to `path.10` (oldest).
    public static let keptRotations = 10

    /// The file.
    public let path: String
    /// This run's id (`run`): 16 random bytes in hex.
    public let runID: String
    /// The durability setting.
    public let durability: Durability
    /// The size past which the file is rotated, in bytes; nil never rotates.
    public let rotateBytes: Int?
    let key: [UInt8]?
    /// HMAC-SHA-256 keyed with `key` (its pads already hashed), copied for each record; nil without a key.
    let authenticator: HMAC?
    let lock: AuditLock
    /// Tells when the open file was removed, renamed or changed from outside.
    let watch = FileWatch()
    let state: Mutex<State>

    struct State {
        /// The open file; nil after ``AuditLog/close()`` or when reopening failed (retried on the next append).
        var file: AuditFile?
        /// Which file `file` is (asked once, when it was opened).
        var identity: AuditFile.Identity?
        var closed = false
        /// Where this log last left the chain (so its hash need not be decoded from the lock file again).
        var last: AuditLock.Chain?
        /// When `path` was last checked to name the open file (monotonic ns).
        var pathCheckedAt: Int64 = .min / 2
        /// Outcome records waiting to be written (``AuditLog/appendLater(entry:)``).
        var pending: [Pending] = []
        var dirty = false
        var helperRunning = false
        var failure: AuditError?
        /// Counted for ``AuditLog/stats``.
        var stats = AuditStats(writes: 0, records: 0, syncs: 0)
        /// The lines of the records being written, kept with their capacity from write to write.
        var lines: [UInt8] = []
    }

    /// A record queued by ``AuditLog/appendLater(entry:)``, with the time it was queued.
    struct Pending {
        var entry: Entry
        var time: AuditTimestamp?
    }

    init(path: String, file: AuditFile, identity: AuditFile.Identity, lock: AuditLock, durability: Durability,
         rotateBytes: Int?, key: [UInt8]?, runID: String) {
        self.path = path
        self.durability = durability
        self.rotateBytes = rotateBytes
        self.key = key
        authenticator = key.map { HMAC(key: $0) }
        self.runID = runID
        self.lock = lock
        state = Mutex(State(file: file, identity: identity))
        watch.watch(path)
    }

    /// Opens (creating with mode 0600 if needed) the log at `path`. `rotateMB` is in MiB;
    /// `key` (see ``AuditKey``) makes the chain HMAC-SHA-256. Throws if the file or its lock
    /// file cannot be opened.
    public static func open(
        path: String, fsync durability: Durability = .batch, rotateMB: Int? = nil, key: [UInt8]? = nil
    ) throws(AuditError) -> AuditLog {
        try open(path: path, fsync: durability, rotateBytes: rotateMB.map { $0 << 20 }, key: key)
    }

    /// Opens the log with a rotation size in bytes (for tests) and optionally a given run id.
    static func open(
        path: String, fsync durability: Durability, rotateBytes: Int?, key: [UInt8]?, runID: String? = nil
    ) throws(AuditError) -> AuditLog {
        let file = try AuditFile.openForAppending(path)
        let status: AuditFile.Status
        let lock: AuditLock
        do throws(AuditError) {
            status = try file.fullStatus()
            // The lock file is as private as the log: whoever may write the log may lock it.
            lock = try AuditLock.open(forLog: path, mode: mode_t(status.permissions & 0o666 | 0o600))
        } catch {
            file.closeDescriptor()
            throw error
        }
        return AuditLog(
            path: path, file: file, identity: status.identity, lock: lock, durability: durability, rotateBytes: rotateBytes,
            key: key.flatMap { $0.isEmpty ? nil : $0 }, runID: runID ?? AuditRunID.random())
    }

    deinit {
        state.withLock { state in
            if !state.pending.isEmpty, !state.closed { _ = try? write(pending: &state) }
            guard let file = state.file else { return }
            if state.dirty { _ = AuditFile.syncData(file.fd) }
            file.closeDescriptor()
            state.file = nil
        }
        watch.stop()
    }

    /// Appends a record and returns its hash. `time` is set to now unless present; `seq`, `run`,
    /// `prev`, `alg` and `hash` are always set by the log.
    @discardableResult
    public func append(_ record: JSONObject) throws(AuditError) -> String {
        try append(AuditRecord(record))
    }

    /// Appends a record and returns its hash (see ``append(_:)-(JSONObject)``).
    @discardableResult
    public func append(_ record: AuditRecord) throws(AuditError) -> String {
        try append(entry: .record(record))
    }

    /// Appends a call's decision or outcome record (the same bytes as its ``AuditRecord`` form).
    @discardableResult
    func append(_ record: AuditCallRecord) throws(AuditError) -> String {
        try append(entry: .call(record))
    }

    /// Queues a call's outcome record, timed now, to be written after the response it describes
    /// was relayed (see ``AuditLog``).
    func appendLater(entry: Entry) {
        let time = AuditTimestamp.now()
        let startHelper = state.withLock { state in
            state.pending.append(Pending(entry: entry, time: time))
            return startsHelper(&state)
        }
        if startHelper { startThread { [self] in helperLoop() } }
    }

    /// Writes the queued records now. A failure is thrown by the next ``append(_:)``.
    package func writePending() {
        state.withLock { state in
            guard !state.pending.isEmpty, !state.closed else { return }
            do throws(AuditError) {
                try write(pending: &state)
            } catch {
                state.failure = error
            }
        }
    }

    private func append(entry record: Entry) throws(AuditError) -> String {
        try append(entries: CollectionOfOne(record))
    }

    /// Appends records in order, all in one `write` (with ``Durability/always``, one
    /// `fdatasync`), and returns the last one's hash: a group commit. All or none: when it
    /// throws, none of them is in the file (unless only the sync failed), so the caller fails
    /// closed for every one.
    @discardableResult
    func append(entries records: some Collection<Entry>) throws(AuditError) -> String {
        let (hash, startHelper) = try state.withLock { (state: inout State) throws(AuditError) -> (String, Bool) in
            if let failure = state.failure {
                state.failure = nil
                throw failure
            }
            for record in records { state.pending.append(Pending(entry: record, time: nil)) }
            let hash: String
            do throws(AuditError) {
                hash = try write(pending: &state)
            } catch {
                // Unless they were written and only the sync failed, these records were not
                // written (they are not queued: the caller fails closed) and the queued ones wait.
                if !state.pending.isEmpty { state.pending.removeLast(records.count) }
                throw error
            }
            return (hash, durability == .batch && startsHelper(&state))
        }
        if startHelper { startThread { [self] in helperLoop() } }
        return hash
    }

    /// Writes every pending record in one `write` and empties the queue; returns the last hash.
    /// With ``Durability/always``, syncs before returning (a failed sync is thrown; the records
    /// stay written).
    @discardableResult
    private func write(pending state: inout State) throws(AuditError) -> String {
        let hash = try write(state.pending, state: &state)
        state.stats.writes += 1
        state.stats.records += state.pending.count
        state.pending.removeAll(keepingCapacity: true)
        switch durability {
        case .batch: state.dirty = true
        case .always:
            state.stats.syncs += 1
            try state.file?.sync()
        }
        return hash
    }

    /// What the log wrote so far.
    public var stats: AuditStats { state.withLock { $0.stats } }

    /// Whether the helper thread must be started (it is marked running): something waits for a
    /// `write` or a batched sync.
    private func startsHelper(_ state: inout State) -> Bool {
        guard !state.helperRunning else { return false }
        state.helperRunning = true
        return true
    }

    /// Syncs what was written (in batch mode) now, after writing the queued records.
    public func flush() throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in
            guard !state.closed, let file = state.file else { throw .closed(path: path) }
            if !state.pending.isEmpty { try write(pending: &state) }
            guard state.dirty else { return }
            try file.sync()
            state.dirty = false
        }
    }

    /// Writes the queued records, syncs and closes the file. Later appends throw ``AuditError/closed(path:)``.
    public func close() throws(AuditError) {
        defer { watch.stop() }
        try state.withLock { (state: inout State) throws(AuditError) in
            guard !state.closed else { return }
            var failure: AuditError?
            if !state.pending.isEmpty {
                do throws(AuditError) { try write(pending: &state) } catch { failure = error }
            }
            state.closed = true
            if let file = state.file {
                state.file = nil
                if state.dirty {
                    state.dirty = false
                    if AuditFile.syncData(file.fd) != 0, failure == nil { failure = .system(.sync, path: path, errno: errno) }
                }
                file.closeDescriptor()
            }
            if let failure { throw failure }
        }
    }

    /// Writes queued records and (batch mode) syncs, at most once per interval while there is
    /// work, then ends.
    private func helperLoop() {
        while true {
            usleep(useconds_t(Self.batchIntervalMilliseconds * 1000))
            switch state.withLock({ helperStep(&$0) }) {
            case .stop: return
            case .wait: continue
            case .sync(let descriptor):
                let failed = descriptor < 0 || AuditFile.syncData(descriptor) != 0
                let code = errno
                if descriptor >= 0 { AuditFile(path: path, fd: descriptor).closeDescriptor() }
                if failed { state.withLock { $0.failure = .system(.sync, path: path, errno: code) } }
            }
        }
    }

    /// What the helper thread does next.
    private enum HelperStep {
        case stop
        /// Queued records could not be written: try again after the interval.
        case wait
        /// Sync a duplicate of the file's descriptor outside the lock (-1: `dup` failed).
        case sync(Int32)
    }

    /// Writes the queued records and decides the helper's next step (called under the lock).
    private func helperStep(_ state: inout State) -> HelperStep {
        if !state.pending.isEmpty, !state.closed {
            do throws(AuditError) { try write(pending: &state) } catch { state.failure = error }
        }
        guard !state.closed, state.dirty || !state.pending.isEmpty else {
            state.helperRunning = false
            return .stop
        }
        // Records still wait (their write failed, or the file could not be reopened): try again later.
        guard state.dirty, let file = state.file else { return .wait }
        state.dirty = false
        return .sync(dup(file.fd))
    }
}
