import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Audit: the log writer")
struct AuditLogTests {
    @Test("appends sealed records with time, seq, run, prev and alg filled in, after the file's file_start record")
    func appends() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path, fsync: .always, rotateMB: nil, key: nil)
        var hashes: [String] = []
        for index in 0..<3 { hashes.append(try log.append(sampleDecision(index).fields)) }
        try log.close()
        let records = try auditLines(path).map { AuditRecord(try #require(try json($0).objectValue)) }
        #expect(records.count == 4)
        #expect(records[0].string("event") == "file_start")
        #expect(records.map(\.seq) == [1, 2, 3, 4])
        #expect(records.dropFirst().map(\.hash) == hashes)
        #expect(records.map(\.prev) == [AuditRecord.genesisHash, records[0].hash, hashes[0], hashes[1]])
        #expect(Set(records.compactMap { $0.string("run") }) == [log.runID])
        #expect(records.allSatisfy { $0.string("alg") == "sha256" })
        let time = try #require(records[0].string("time"))
        #expect(time.count == 27 && time.hasSuffix("Z"))
        #expect(!text(try FileIO.read(path)).contains("hunter2"), "arguments were redacted")
        #expect(AuditVerifier.verify(files: [path], key: nil).isIntact)
    }

    @Test("a caller's time is kept; chain fields it sets are overwritten")
    func callerFields() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        try log.append(["event": "start", "time": "2026-11-23T18:30:00.123456Z", "seq": 99, "prev": "x", "hash": "y", "alg": "z"])
        try log.close()
        let lines = try auditLines(path)
        let record = try json(try #require(lines.last))
        #expect(record["time"] == "2026-11-23T18:30:00.123456Z")
        #expect(record["seq"] == 2)
        #expect(record["prev"] == (try json(lines[0]))["hash"])
        #expect(record["alg"] == "sha256")
        #expect(AuditVerifier.verify(files: [path], key: nil).isIntact)
    }

    @Test("a new run continues the chain of the file and its seq, under a new run id, with no second file_start")
    func secondRun() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let first = try writeSampleLog(path, count: 3)
        let second = try writeSampleLog(path, count: 2)
        #expect(second.count == 6)
        let fifth = try json(second[4])
        #expect(fifth["prev"] == (try json(first[3]))["hash"])
        #expect(fifth["seq"] == 5)
        #expect(fifth["event"] == "decision")
        #expect(fifth["run"] != (try json(first[3]))["run"])
        #expect(AuditVerifier.verify(files: [path], key: nil).isIntact)
    }

    @Test("a keyed log is an HMAC chain")
    func keyed() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let key = bytes("k3y")
        let lines = try writeSampleLog(path, count: 4, key: key)
        #expect(lines.allSatisfy { text($0).contains(#""alg":"hmac-sha256""#) })
        #expect(AuditVerifier.verify(files: [path], key: key).isIntact)
        #expect(AuditVerifier.verify(files: [path], key: nil).problem?.kind == .keyRequired)
    }

    @Test("a write that fails (disk full) throws and leaves nothing behind")
    func diskFull() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        guard access("/dev/full", W_OK) == 0 else { return }
        #expect(symlink("/dev/full", path) == 0)
        let log = try AuditLog.open(path: path, fsync: .always, rotateMB: nil, key: nil)
        #expect(throws: AuditError.system(.write, path: path, errno: ENOSPC)) { try log.append(sampleDecision(0)) }
        #expect(throws: AuditError.system(.write, path: path, errno: ENOSPC)) { try log.append(sampleDecision(1)) }
        try log.close()
        #expect(throws: AuditError.closed(path: path)) { try log.append(sampleDecision(2)) }
    }

    @Test("a file that cannot be opened for writing throws at open")
    func cannotOpen() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let missing = scratch.file("no/such/dir/audit.log")
        #expect(throws: AuditError.system(.open, path: missing, errno: ENOENT)) { try AuditLog.open(path: missing) }
        #expect(throws: AuditError.system(.open, path: scratch.path, errno: EISDIR)) { try AuditLog.open(path: scratch.path) }
        // A read-only file (permissions do not stop root, so only checked for other users).
        let readOnly = scratch.file("ro.log")
        auditWriteFile(readOnly, [])
        chmod(readOnly, 0o444)
        if geteuid() != 0 {
            #expect(throws: AuditError.system(.open, path: readOnly, errno: EACCES)) { try AuditLog.open(path: readOnly) }
        }
        // A file that takes no writes, even from root: opening or appending fails.
        if access("/proc/version", F_OK) == 0, let log = try? AuditLog.open(path: "/proc/version") {
            #expect(throws: AuditError.self) { try log.append(sampleDecision(0)) }
        }
    }

    @Test("a partial last line gets a newline first and the chain continues from the last complete record")
    func partialTail() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let lines = try writeSampleLog(path, count: 3)
        auditWriteFile(path, auditJoinLines(lines) + Array(lines[3].prefix(30)))
        let more = try writeSampleLog(path, count: 1)
        #expect(more.count == 6)
        #expect(more[4] == Array(lines[3].prefix(30)))
        #expect((try json(more[5]))["prev"] == (try json(lines[3]))["hash"])
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.problem?.kind == .malformed)
        #expect(result.problem?.record.line == 5)
    }

    @Test("a file truncated under a running writer: the chain continues from the writer's last record, so the cut shows")
    func truncatedUnderWriter() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        for index in 0..<5 { try log.append(sampleDecision(index)) }
        let lines = try auditLines(path)
        auditWriteFile(path, auditJoinLines(Array(lines.prefix(3))))
        try log.append(sampleDecision(9))
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.problem?.kind == .chainBroken, "\(result.report)")
        #expect(result.problem?.record.line == 4)
        #expect(result.problem?.message.contains("deleted") == true)
        // Emptied: what is written next does not start the chain (no file_start, or one whose
        // seq continues the chain, whether the writer looks at the file first or not), which the report shows.
        auditWriteFile(path, [])
        try log.append(sampleDecision(10))
        let emptied = AuditVerifier.verify(files: [path], key: nil)
        #expect(emptied.problem?.kind == .noFileStart || emptied.problem?.kind == .sequence, "\(emptied.report)")
        #expect(emptied.report.contains("cut"), "\(emptied.report)")
        try log.close()
    }

    @Test("a last line that is not a record stops the log")
    func corruptTail() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        auditWriteFile(path, bytes("not an audit record\n"))
        let log = try AuditLog.open(path: path)
        #expect(throws: AuditError.corruptTail(path: path)) { try log.append(sampleDecision(0)) }
        #expect(try FileIO.read(path) == bytes("not an audit record\n"))
    }

    @Test("batch mode syncs in the background and on close; flush syncs now")
    func batch() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path, fsync: .batch)
        try log.append(sampleDecision(0))
        try log.flush()
        try log.append(sampleDecision(1))
        // The flusher syncs within an interval, then ends after an idle one (polled: the machine may be busy).
        for _ in 0..<500 where log.state.withLock({ $0.helperRunning }) { usleep(10_000) }
        #expect(log.state.withLock { $0.dirty } == false, "the background flusher synced")
        #expect(log.state.withLock { $0.helperRunning } == false, "and ended once idle")
        try log.append(sampleDecision(2))
        try log.close()
        #expect(try auditLines(path).count == 4)
    }
}
