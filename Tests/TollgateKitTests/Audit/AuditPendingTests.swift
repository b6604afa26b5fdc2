import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Audit: outcome records written after the response")
struct AuditPendingTests {
    static func outcome(_ id: Int) -> AuditLog.Entry {
        .call(AuditCallRecord.outcome(server: "files", tool: "read_file", id: String(id),
                                      outcome: AuditRecord.Outcome(isError: false, bytes: 10, durationUs: 5)))
    }

    @Test("a queued record waits for writePending, keeps the time it was queued, and goes before the next record")
    func order() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        try log.append(sampleDecision(0))
        log.appendLater(entry: Self.outcome(0))
        #expect(try auditLines(path).count == 2, "the file_start record and the decision; the outcome is not written yet")
        usleep(2_000)
        let writing = AuditTimestamp.now()
        log.writePending()
        #expect(try auditLines(path).count == 3)
        log.appendLater(entry: Self.outcome(1))
        try log.append(sampleDecision(2))
        try log.close()
        let records = try auditLines(path).map { try json($0) }
        #expect(records.map { $0["event"]?.stringValue } == ["file_start", "decision", "outcome", "outcome", "decision"])
        #expect(records.map { $0["seq"] } == [1, 2, 3, 4, 5])
        let time = try #require(records[2]["time"]?.stringValue)
        #expect(time < writing.rfc3339, "the time it was queued, not the time it was written")
        #expect(AuditVerifier.verify(files: [path], key: nil).isIntact)
    }

    @Test("queued records are written by the helper within the interval, and on close")
    func helperAndClose() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path)
        log.appendLater(entry: Self.outcome(0))
        for _ in 0..<500 where (try auditLines(path)).isEmpty { usleep(5_000) }
        #expect(try auditLines(path).count == 2, "the helper wrote it, after the file_start record")
        log.appendLater(entry: Self.outcome(1))
        try log.close()
        #expect(try auditLines(path).count == 3, "close wrote it")
        #expect(AuditVerifier.verify(files: [path], key: nil).isIntact)
    }

    @Test("a queued record that cannot be written fails the next append (closed), and stays queued for it")
    func failure() throws {
        guard access("/dev/full", W_OK) == 0 else { return }
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        #expect(symlink("/dev/full", path) == 0)
        let log = try AuditLog.open(path: path)
        log.appendLater(entry: Self.outcome(0))
        log.writePending()
        #expect(throws: AuditError.system(.write, path: path, errno: ENOSPC)) { try log.append(sampleDecision(1)) }
        #expect(log.state.withLock { $0.pending.count } == 1)
        #expect(throws: AuditError.self) { try log.append(sampleDecision(2)) }
        #expect(log.state.withLock { $0.pending.count } == 1, "the failed decision is not queued; the outcome still is")
    }
}
