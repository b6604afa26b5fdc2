import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// The files a review reads: a log's rotations in order, followed as it grows, checked as it grows.
@Suite("Audit review: files, following, checking")
struct AuditReviewFilesTests {
    @Test("a log's files: the rotations that exist, oldest first, then the log; files given keep their order, each once")
    func files() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let log = scratch.file("audit.log")
        for name in ["audit.log", "audit.log.1", "audit.log.2", "audit.log.10", "audit.log.11"] { auditWriteFile(scratch.file(name), bytes("x\n")) }
        #expect(AuditLogFiles.files(of: log) == [log + ".10", log + ".2", log + ".1", log], "the writer keeps ten: .11 is not its")
        #expect(AuditLogFiles.expand([log]) == [log + ".10", log + ".2", log + ".1", log])
        #expect(AuditLogFiles.expand([log + ".2", log + ".1", log]) == [log + ".2", log + ".1", log], "rotations given: as given")
        #expect(AuditLogFiles.expand([log, log + ".1"]) == [log, log + ".1"])
        #expect(AuditLogFiles.expand([log + ".1", scratch.path + "/./audit.log.1"]) == [log + ".1"], "the same file once")
        #expect(AuditLogFiles.files(of: scratch.file("other.log")) == [scratch.file("other.log")])
    }

    @Test("a review reads the rotated files in order and verifies them as one chain; a head dropped by the writer's last rotation is accepted")
    func readsRotations() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let log = scratch.file("audit.log")
        let lines = try writeSampleLog(log, count: 9)
        // As rotation leaves them: each file starts with a file_start record (made by the writer).
        let head = Array(lines[0..<4]), middle = Array(lines[4..<7]), tail = Array(lines[7...])
        auditWriteFile(log + ".2", auditJoinLines(head))
        auditWriteFile(log + ".1", auditJoinLines(middle))
        auditWriteFile(log, auditJoinLines(tail))
        var reading = try AuditReview.read(files: AuditLogFiles.files(of: log), log: log, verify: true, key: nil)
        #expect(reading.sources.map(\.name) == [log + ".2", log + ".1", log])
        // Not a rotation made by the writer: .1 and the log do not start with file_start records.
        #expect(reading.verification?.problem?.kind == .noFileStart && reading.verification?.problem?.record.file == log + ".1")

        // A real rotated log: the writer's own rotation, then the oldest file dropped.
        scratch.remove()
        let again = try AuditScratch()
        defer { again.remove() }
        let rotating = again.file("audit.log")
        let writer = try AuditLog.open(path: rotating, fsync: .batch, rotateBytes: 600, key: nil)
        for index in 0..<40 { try writer.append(sampleDecision(index)) }
        try writer.close()
        let all = AuditLogFiles.files(of: rotating)
        #expect(all.count == 11, "\(all)")
        reading = try AuditReview.read(files: all, log: rotating, verify: true, key: nil)
        #expect(reading.verification?.isIntact == true, "\(reading.verification?.report ?? "")")
        #expect((reading.verification?.firstSeq ?? 0) > 1, "the oldest records were rotated away")
        // The oldest kept file removed: the head is missing, and that is not the writer's doing.
        unlink(all[0])
        reading = try AuditReview.read(files: AuditLogFiles.files(of: rotating), log: rotating, verify: true, key: nil)
        #expect(reading.verification?.problem?.kind == .sequence, "\(reading.verification?.report ?? "")")
        #expect(try AuditReview.read(files: AuditLogFiles.files(of: rotating), log: rotating, verify: false, key: nil).verification == nil)
    }

    @Test("the tail reads what is appended, a partial line once it ends, the new file after a rotation, and again from the start after a cut")
    func tail() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        var tail = AuditLogTail(path: path)
        #expect(tail.read().lines.isEmpty && tail.file == nil, "no file yet")
        auditWriteFile(path, bytes("one\ntw"))
        var read = tail.read()
        #expect(read.lines.map { text($0.bytes) } == ["one"] && read.lines.map(\.number) == [1] && read.notes.isEmpty)
        let fd = open(path, O_WRONLY | O_APPEND)
        writeFully(fd, bytes("o\nthree\n"))
        close(fd)
        read = tail.read()
        #expect(read.lines.map { text($0.bytes) } == ["two", "three"] && read.lines.map(\.number) == [2, 3])
        #expect(tail.read().lines.isEmpty)

        // Rotated: the old file's last line, then the new file from its start.
        let old = open(path, O_WRONLY | O_APPEND)
        writeFully(old, bytes("four\n"))
        rename(path, path + ".1")
        writeFully(old, bytes("five\n"))
        close(old)
        auditWriteFile(path, bytes("new one\n"))
        read = tail.read()
        #expect(read.lines.map { text($0.bytes) } == ["four", "five", "new one"] && read.lines.map(\.number) == [4, 5, 1], "\(read.lines.map { text($0.bytes) })")

        // Cut shorter in place: read again from the start, with a note.
        truncate(path, 0)
        let again = open(path, O_WRONLY | O_APPEND)
        writeFully(again, bytes("x\n"))
        close(again)
        read = tail.read()
        #expect(read.lines.map { text($0.bytes) } == ["x"] && read.notes.first?.contains("was cut from 8 to 2 bytes") == true, "\(read.notes)")
    }

    @Test("following: appended records are checked against the chain; an edit, a replay, a missing file_start after a rotation are caught")
    func chainFollower() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let lines = try writeSampleLog(path, count: 6)
        let start = Array(lines[0..<4])
        let verification = verifyLines([(path, start)])
        #expect(verification.isIntact)
        var follower = AuditChainFollower(after: verification, key: nil)
        #expect(follower.check(lines[4], file: path, number: 5) == nil)
        #expect(follower.check(lines[4], file: path, number: 6)?.kind == .chainBroken, "a replayed record")

        follower = AuditChainFollower(after: verification, key: nil)
        var edited = text(lines[4])
        edited = edited.replacingOccurrences(of: "read_file", with: "rm_rf")
        #expect(follower.check(bytes(edited), file: path, number: 5)?.kind == .hashMismatch)

        follower = AuditChainFollower(after: verification, key: nil)
        #expect(follower.check(lines[4], file: path, number: 1)?.kind == .noFileStart, "line 1 of a new file must be its file_start record")
        var keyed = AuditChainFollower(after: verification, key: bytes("k"))
        #expect(keyed.check(lines[4], file: path, number: 5)?.kind == .unkeyed)

        // A log that had no records: the first must start the chain.
        let empty = verifyLines([])
        follower = AuditChainFollower(after: empty, key: nil)
        #expect(follower.check(lines[1], file: path, number: 1)?.kind == .noFileStart)
        follower = AuditChainFollower(after: empty, key: nil)
        #expect(follower.check(lines[0], file: path, number: 1) == nil && follower.check(lines[1], file: path, number: 2) == nil)
    }

    @Test("lines come out whole whatever the chunks: across a megabyte boundary, and a last line without a newline")
    func lines() throws {
        var splitter = AuditLineSplitter()
        var seen: [String] = []
        for chunk in ["ab", "c\nd", "", "\n\nef"] { splitter.split(bytes(chunk)[...]) { seen.append("\($1):\(text($0))") } }
        #expect(seen == ["1:abc", "2:d", "3:"] && text(splitter.partial) == "ef")

        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("big.log")
        let long = String(repeating: "x", count: (1 << 20) + 17)
        auditWriteFile(path, bytes("one\n\(long)\nlast"))
        var lines: [(Int, Int)] = []
        try AuditReview.forEachLine(ofFile: path) { line, number in lines.append((number, line.count)) }
        #expect(lines.map(\.0) == [1, 2, 3] && lines.map(\.1) == [3, (1 << 20) + 17, 4])
        var inMemory: [(Int, Int)] = []
        AuditReview.forEachLine(in: try FileIO.read(path)) { line, number in inMemory.append((number, line.count)) }
        #expect(inMemory.map(\.0) == [1, 2, 3] && inMemory.map(\.1) == [3, (1 << 20) + 17, 4])
        #expect(throws: FileError.self) { try AuditReview.forEachLine(ofFile: scratch.file("missing")) { _, _ in } }
    }
}
