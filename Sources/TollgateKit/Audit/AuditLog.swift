import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit trail writer: appends one sealed record per line to a file that any number of
/// Tollgate processes may share, keeping one hash chain across all of them.
///
/// Each ``append(_:)`` takes the file's exclusive `flock`, makes sure its descriptor still names
/// the file at `path` (another process may have rotated it), reads the last record's `hash` from
/// the end of the file, fills in `time` (unless set), `seq`, `run`, `prev` and `alg`, seals the
/// record (``AuditRecord/seal(key:)``) and writes it in one `write` on its `O_APPEND` descriptor,
/// then unlocks. A record that cannot be written throws, and nothing of it stays in the file, so
/// the caller can fail closed.
///
/// Durability (`fsync`): ``Durability/always`` calls `fdatasync` after every record before
/// `append` returns; ``Durability/batch`` returns once the record is written and a helper thread
/// calls `fdatasync` within ``batchIntervalMilliseconds`` (at most once per interval; the thread
/// ends when the log is idle), and ``close()`` syncs. A failed background sync is thrown by the
/// next `append`.
///
/// Rotation: with `rotateMB`, a record that would take a non-empty file past that many MiB first
/// renames the file to `path.1` (after shifting `path.1`…`path.9` to `.2`…`.10`; the oldest,
/// `path.10`, is removed), under the lock; the record then starts a new file at `path`, and its
/// `prev` is the last hash of `path.1`, so the chain continues across files. Any writer that finds
/// `path` empty continues from `path.1` the same way. The rotating writer then removes the write
/// permission bits of the rotated file (`fchmod` on its descriptor, still under the lock): that is
/// how other writers learn of the rotation from the `fstat` they do under the lock anyway, since
/// they skip looking up `path` while the file is unchanged since their own last write and writable
/// only by its owner (their user, who can always `fchmod` it). `path` is still looked up whenever
/// the file changed, is writable by other users, was removed (no links left: records must not go
/// to a deleted file), or ``pathCheckIntervalNanoseconds`` passed (a rename from outside Tollgate
/// is followed within that time; records written before stay in the renamed file).
///
/// A file whose last line is a partial record (a crash during a write) gets a newline before the
/// next record; the chain continues from the last complete record, and the verifier reports the
/// partial line. A last complete line that is not a record stops the log (``AuditError/corruptTail(path:)``).
public final class AuditLog: Sendable {
    /// When records reach stable storage.
    public enum Durability: String, Sendable, CaseIterable {
        /// `fdatasync` within ``AuditLog/batchIntervalMilliseconds`` of a write, and on close.
        case batch
        /// `fdatasync` after every record.
        case always
    }

    /// How long a record may wait for `fdatasync` in batch mode.
    public static let batchIntervalMilliseconds = 100

    /// How often a writer alone on its file checks that `path` still names it (for renames from
    /// outside Tollgate; rotations by Tollgate writers are seen at once).
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
    let state: Mutex<State>

    struct State {
        /// The open file; nil after ``AuditLog/close()`` or when reopening failed (retried on the next append).
        var file: AuditFile?
        var closed = false
        var seq = 0
        /// What this log last wrote, so a writer alone does not read the file back each time.
        var last: (identity: AuditFile.Identity, size: Int, hash: String)?
        /// When `path` was last checked to name the open file (monotonic ns).
        var pathCheckedAt: Int64 = .min / 2
        var dirty = false
        var flusherRunning = false
        var failure: AuditError?
    }

    init(path: String, file: AuditFile, durability: Durability, rotateBytes: Int?, key: [UInt8]?, runID: String) {
        self.path = path
        self.durability = durability
        self.rotateBytes = rotateBytes
        self.key = key
        authenticator = key.map { HMAC(key: $0) }
        self.runID = runID
        state = Mutex(State(file: file))
    }

    /// Opens (creating with mode 0600 if needed) the log at `path`. `rotateMB` is in MiB;
    /// `key` (see ``AuditKey``) makes the chain HMAC-SHA-256. Throws if the file cannot be opened.
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
        return AuditLog(
            path: path, file: file, durability: durability, rotateBytes: rotateBytes,
            key: key.flatMap { $0.isEmpty ? nil : $0 }, runID: runID ?? AuditRunID.random())
    }

    deinit {
        state.withLock { state in
            guard let file = state.file else { return }
            if state.dirty { _ = AuditFile.syncData(file.fd) }
            file.closeDescriptor()
            state.file = nil
        }
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

    private func append(entry record: Entry) throws(AuditError) -> String {
        let (hash, startFlusher) = try state.withLock { (state: inout State) throws(AuditError) -> (String, Bool) in
            if let failure = state.failure {
                state.failure = nil
                throw failure
            }
            let hash = try write(record, state: &state)
            guard durability == .batch else { return (hash, false) }
            state.dirty = true
            let start = !state.flusherRunning
            state.flusherRunning = true
            return (hash, start)
        }
        if startFlusher { startThread { [self] in flushLoop() } }
        return hash
    }

    /// Syncs what was written (in batch mode) now.
    public func flush() throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in
            guard !state.closed, let file = state.file else { throw .closed(path: path) }
            guard state.dirty else { return }
            try file.sync()
            state.dirty = false
        }
    }

    /// Syncs and closes the file. Later appends throw ``AuditError/closed(path:)``.
    public func close() throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in
            state.closed = true
            guard let file = state.file else { return }
            state.file = nil
            defer { file.closeDescriptor() }
            if state.dirty {
                state.dirty = false
                try file.sync()
            }
        }
    }

    /// Batch mode: syncs at most once per interval while records keep coming, then ends.
    private func flushLoop() {
        while true {
            usleep(useconds_t(Self.batchIntervalMilliseconds * 1000))
            let descriptor: Int32? = state.withLock { (state: inout State) -> Int32? in
                guard let file = state.file, state.dirty else {
                    state.flusherRunning = false
                    return nil
                }
                state.dirty = false
                return dup(file.fd)
            }
            guard let descriptor else { return }
            let failed = descriptor < 0 || AuditFile.syncData(descriptor) != 0
            let code = errno
            if descriptor >= 0 { AuditFile(path: path, fd: descriptor).closeDescriptor() }
            if failed { state.withLock { $0.failure = .system(.sync, path: path, errno: code) } }
        }
    }
}
