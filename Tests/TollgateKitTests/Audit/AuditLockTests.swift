import Synchronization
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Audit: the shared lock and chain state, and the watch on the file")
struct AuditLockTests {
    @Test("the lock file is hidden beside the log, so a glob of the log's name does not catch it")
    func lockPath() throws {
        #expect(AuditLock.path(forLog: "/no/such/directory/audit.log") == "/no/such/directory/.audit.log.lock")
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        // The directory's links are resolved: two names of one directory share one lock.
        let alias = scratch.file("alias")
        #expect(symlink(scratch.path, alias) == 0)
        #expect(AuditLock.path(forLog: alias + "/audit.log") == AuditLock.path(forLog: scratch.file("audit.log")))
        #expect(AuditLock.path(forLog: "audit.log").hasSuffix("/.audit.log.lock"))
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        try log.append(sampleDecision(0))
        try log.close()
        var info = stat()
        #expect(stat(scratch.file(".audit.log.lock"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600, "as private as the log")
        // A log its group may write: so may the group lock it, whatever the umask.
        let shared = scratch.file("shared.log")
        auditWriteFile(shared, [])
        chmod(shared, 0o660)
        let previous = umask(0o022)
        defer { umask(previous) }
        let sharedLog = try AuditLog.open(path: shared)
        try sharedLog.close()
        #expect(stat(scratch.file(".shared.log.lock"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
    }

    @Test("a writer takes the chain from the lock file, not from the log: a hash edited in place does not mislead it")
    func chainFromLockFile() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let lines = try writeSampleLog(path, count: 2)
        let trueHash = try #require((try json(lines[2]))["hash"]?.stringValue)
        // Same size, one hex digit changed in the last record's hash.
        var edited = auditJoinLines(lines)
        let digit = edited.count - 4
        edited[digit] = edited[digit] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        #expect(pwrite(fd, [edited[digit]], 1, off_t(digit)) == 1)
        close(fd)
        let more = try writeSampleLog(path, count: 1)
        #expect((try json(more[3]))["prev"]?.stringValue == trueHash, "the chain continues from the record as written")
        #expect(AuditVerifier.verify(files: [path], key: nil).problem?.record.line == 3, "and the edit shows")
    }

    @Test("a writer that died holding the lock hands it on: the next one cuts off the record it tore and continues the chain")
    func deadHolder() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        try log.append(sampleDecision(0))
        // Another writer takes the lock, writes half a record and dies (its thread ends) holding it.
        let lines = try auditLines(path)
        try Self.dieHoldingLock(of: path) {
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            writeFully(fd, Array(lines[1].prefix(25)))
            close(fd)
        }
        try log.append(sampleDecision(1))
        try log.close()
        let after = try auditLines(path)
        #expect(after.count == 3, "the torn record is cut off")
        #expect(Array(after.prefix(2)) == lines)
        #expect((try json(after[2]))["prev"] == (try json(lines[1]))["hash"], "the chain continues from the last whole record")
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.isIntact, "\(result.report)")
    }

    @Test("a writer that died after whole records and a torn one: the whole ones stay and the chain continues from them")
    func deadHolderAfterWholeRecords() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        try log.append(sampleDecision(0))
        // Records sealed by another writer (its run), as if its batch write was torn after two of three.
        let other = try writeSampleLog(scratch.file("other.log"), count: 3)
        try Self.dieHoldingLock(of: path)
        // What the dead writer left: whole lines (from another chain, so the verifier will show
        // where they do not join; what matters here is that they are kept) and a torn one.
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        writeFully(fd, auditJoinLines(Array(other.prefix(2))) + Array(other[2].prefix(40)))
        close(fd)
        try log.append(sampleDecision(1))
        try log.close()
        let after = try auditLines(path)
        #expect(after.count == 5, "the file_start record and one record, the two whole ones, the new one")
        #expect(Array(after[2...3]) == Array(other.prefix(2)))
        #expect((try json(after[4]))["prev"] == (try json(other[1]))["hash"], "the chain continues from the last whole record")
        #expect((try json(after[4]))["seq"] == 3, "and its seq (read back from the last whole record, other's second)")
    }

    @Test("a lock file that is not Tollgate's refuses the log")
    func foreignLockFile() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        auditWriteFile(scratch.file(".audit.log.lock"), [UInt8](repeating: 0x41, count: 512))
        #expect(throws: AuditError.foreignLock(path: scratch.file(".audit.log.lock"))) { try AuditLog.open(path: path) }
    }

    @Test("a log removed from outside: the next record goes to a new file at the path, not into the removed one")
    func removedUnderWriter() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        try log.append(sampleDecision(0))
        try log.append(sampleDecision(1))
        #expect(unlink(path) == 0)
        // Within the name check's interval, only the watch can tell.
        for _ in 0..<500 where !log.watch.changed { usleep(1_000) }
        try log.append(sampleDecision(2))
        try log.close()
        let lines = try auditLines(path)
        #expect(lines.count == 2)
        let start = try json(lines[0])
        #expect(start["event"] == "file_start" && start["seq"] == 4, "the new file's file_start record continues the removed chain: \(start)")
        #expect((try json(lines[1]))["tool"] == "read_file")
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.problem?.kind == .sequence, "the removed records show: \(result.report)")
        #expect(AuditVerifier.verify(files: [path], key: nil, from: 4).isIntact)
    }

    @Test("a lock file from an earlier boot, left locked by a writer the crash took, is initialized again instead of waited on")
    func lockFromEarlierBoot() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        _ = try writeSampleLog(path, count: 2)
        // The region: magic (8 bytes), layout (8), boot id (40), then the mutex, whose first word
        // is its owner's thread id: a thread of the earlier boot, which no exit will ever release.
        let fd = open(scratch.file(".audit.log.lock"), O_RDWR | O_CLOEXEC)
        #expect(fd >= 0)
        #expect(pwrite(fd, Array("an-earlier-boot".utf8) + [0], 16, 16) == 16)
        var owner: Int32 = 999_999
        #expect(pwrite(fd, &owner, 4, 56) == 4)
        close(fd)
        let done = Atomic<Bool>(false)
        startThread {
            if let lines = try? writeSampleLog(path, count: 1), lines.count == 4 { done.store(true, ordering: .releasing) }
        }
        for _ in 0..<1000 where !done.load(ordering: .acquiring) { usleep(5_000) }
        let finished = done.load(ordering: .acquiring)
        #expect(finished, "the writer did not wait for a lock nobody can release")
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.isIntact, "\(result.report)")
    }

    @Test("a lock file removed while writers run: a writer started since makes a new one, and the running one moves to it at its next check")
    func lockFileRemoved() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let running = try AuditLog.open(path: path)
        try running.append(sampleDecision(0))
        #expect(unlink(scratch.file(".audit.log.lock")) == 0)
        let started = try AuditLog.open(path: path)
        try started.append(sampleDecision(1))
        #expect(running.lock.identity != started.lock.identity)
        // The running writer's next look at the file (forced here; every 100 ms otherwise).
        running.state.withLock { $0.pathCheckedAt = .min / 2 }
        try running.append(sampleDecision(2))
        #expect(running.lock.identity == started.lock.identity, "both share the new lock file")
        try started.append(sampleDecision(3))
        try running.close()
        try started.close()
        let lines = try auditLines(path)
        #expect(lines.count == 5)
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.isIntact, "\(result.report)")
    }

    /// Another writer of the log at `path` takes its lock, runs `body` and dies holding it (its
    /// thread ends, which marks the lock's owner dead); returns once it has.
    private static func dieHoldingLock(of path: String, _ body: @escaping @Sendable () -> Void = {}) throws {
        let dying = try AuditLog.open(path: path)
        let done = Atomic<Bool>(false)
        startThread {
            _ = try? dying.lock.acquire(known: nil)
            body()
            done.store(true, ordering: .releasing)
        }
        for _ in 0..<500 where !done.load(ordering: .acquiring) { usleep(2_000) }
        usleep(20_000)  // the thread's exit
    }
}
