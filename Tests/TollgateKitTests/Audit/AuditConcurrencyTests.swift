import Synchronization
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Audit: several writers, rotation")
struct AuditConcurrencyTests {
    /// Appends `count` records from each of `writers` threads, each with its own ``AuditLog`` on `path`.
    static func appendConcurrently(
        path: String, writers: Int, count: Int, rotateBytes: Int? = nil, key: [UInt8]? = nil
    ) throws -> [String] {
        let logs = try (0..<writers).map { _ in
            try AuditLog.open(path: path, fsync: .batch, rotateBytes: rotateBytes, key: key)
        }
        let failures = Mutex<[String]>([])
        let done = Mutex(0)
        for (writer, log) in logs.enumerated() {
            startThread {
                for index in 0..<count {
                    do {
                        try log.append(sampleDecision(index, tool: "writer\(writer)"))
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                done.withLock { $0 += 1 }
            }
        }
        while done.withLock({ $0 }) < writers { usleep(1000) }
        for log in logs { try log.close() }
        return failures.withLock { $0 }
    }

    /// The records in file order have seq `first`, `first + 1`, … whoever wrote them (one count
    /// for the log, shared by its writers).
    static func isSequential(_ lines: [[UInt8]], from first: Int = 1) throws -> Bool {
        try lines.map { try json($0)["seq"]?.numberText.flatMap { Int($0) } } == Array(first..<(first + lines.count))
    }

    /// The seq of a file's first record.
    static func firstSeq(_ path: String) throws -> Int {
        let first = try #require(try auditLines(path).first)
        let seq = try json(first)["seq"]?.numberText
        return try #require(seq.flatMap { Int($0) })
    }

    @Test("two threads, each with its own log on one file, make one valid chain of 400 and one file_start record")
    func twoThreads() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let failures = try Self.appendConcurrently(path: path, writers: 2, count: 200)
        #expect(failures.isEmpty, "\(failures)")
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.isIntact, "\(result.report)")
        #expect(result.records == 401)
        let lines = try auditLines(path)
        #expect(try Self.isSequential(lines))
        #expect(lines.filter { text($0).contains(#""event":"file_start""#) }.count == 1)
        #expect(Set(lines.map { text($0).contains("writer0") }).count == 2, "both writers wrote")
    }

    @Test("two processes and a thread of this one append to one file: one valid chain")
    func twoProcesses() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        var environment = FileIO.environment()
        environment[AuditWriterProcess.pathVariable] = path
        environment[AuditWriterProcess.countVariable] = "200"
        // The helpers run only ``AuditWriterProcess``.
        let children = try (0..<2).compactMap { _ in try HelperProcess.start(filter: "AuditWriterProcess", environment: environment) }
        guard children.count == 2 else { return }
        let failures = try Self.appendConcurrently(path: path, writers: 1, count: 100)
        #expect(failures.isEmpty)
        for child in children { #expect(HelperProcess.finish(child) == .exited(0)) }
        let result = AuditVerifier.verify(files: [path], key: nil)
        #expect(result.isIntact, "\(result.report)")
        #expect(result.records == 501)
        let lines = try auditLines(path)
        #expect(Set(lines.compactMap { (try? json($0))?["run"]?.stringValue }).count == 3)
        #expect(try Self.isSequential(lines))
        #expect(lines.filter { text($0).contains(#""event":"file_start""#) }.count == 1)
    }

    @Test("rotation renames the full file to path.1 and the chain continues into the new file, which starts with a file_start record linked to path.1")
    func rotation() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path, fsync: .batch, rotateBytes: 4096, key: nil)
        for index in 0..<30 { try log.append(sampleDecision(index)) }
        try log.close()
        let files = Self.existingFiles(path)
        #expect(files.count > 2)
        for file in files { #expect(try FileIO.read(file).count <= 4096) }
        let result = AuditVerifier.verify(files: files, key: nil)
        #expect(result.isIntact, "\(result.report)")
        #expect(result.records == 30 + files.count, "one file_start record per file")
        #expect(result.firstSeq == 1 && result.last?.seq == result.records)
        #expect(!result.continuesEarlierChain)
        for file in files {
            let first = try json(try #require(try auditLines(file).first))
            #expect(first["event"] == "file_start", "\(file) starts with its file_start record")
        }
        let newest = try auditLines(path), previous = try auditLines(path + ".1")
        let start = try json(newest[0])
        #expect(start["prev"] == (try json(previous.last!))["hash"], "the link across the rotation")
        let lastSeq = try json(previous.last!)["seq"]?.numberText.flatMap { Int($0) }
        #expect(start["seq"]?.numberText.flatMap { Int($0) } == lastSeq.map { $0 + 1 })
        // The older files left out: the head is missing, unless --from says where the log starts.
        let recent = AuditVerifier.verify(files: [path + ".1", path], key: nil)
        #expect(recent.problem?.kind == .sequence && recent.problem?.record.location == path + ".1:1", "\(recent.report)")
        #expect(recent.report.contains("--from \(try Self.firstSeq(path + ".1"))"), "\(recent.report)")
        let fromSeq = AuditVerifier.verify(files: [path + ".1", path], key: nil, from: try Self.firstSeq(path + ".1"))
        #expect(fromSeq.isIntact && fromSeq.continuesEarlierChain, "\(fromSeq.report)")
        #expect(fromSeq.report.contains("seq \(try Self.firstSeq(path + ".1")) to \(result.records)"), "\(fromSeq.report)")
        #expect(!AuditVerifier.verify(files: [path, path + ".1"], key: nil, from: try Self.firstSeq(path)).isIntact)
    }

    @Test("rotation keeps ten old files, and concurrent writers keep one chain across rotations")
    func rotationUnderLoad() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let key = bytes("rotation key")
        let failures = try Self.appendConcurrently(path: path, writers: 3, count: 150, rotateBytes: 8192, key: key)
        #expect(failures.isEmpty, "\(failures)")
        let files = Self.existingFiles(path)
        #expect(files.count == AuditLog.keptRotations + 1)
        #expect(access(path + ".11", F_OK) != 0)
        let dropped = AuditVerifier.verify(files: files, key: key)
        #expect(dropped.problem?.kind == .sequence, "the oldest files were dropped: \(dropped.report)")
        let result = AuditVerifier.verify(files: files, key: key, from: try Self.firstSeq(files[0]))
        #expect(result.isIntact, "\(result.report)")
        #expect(result.continuesEarlierChain)
        #expect(result.last?.hash == (try json(try auditLines(path).last!))["hash"]?.stringValue)
        #expect(result.last?.seq == (result.firstSeq ?? 0) + result.records - 1, "seq runs on without a gap")
        for file in files { #expect(try auditLines(file).filter { text($0).contains(#""event":"file_start""#) }.count == 1, "\(file)") }
    }

    @Test("a writer alone since its last record sees another writer's rotation at once (the shared chain state names the new file; the rotated one is marked read-only)")
    func rotationByAnotherWriterIsSeen() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let quiet = try AuditLog.open(path: path, fsync: .batch, rotateBytes: nil, key: nil)
        let rotating = try AuditLog.open(path: path, fsync: .batch, rotateBytes: 1, key: nil)
        // The quiet writer writes twice, so its second write takes the path-free fast path.
        try quiet.append(sampleDecision(0, tool: "quiet"))
        try quiet.append(sampleDecision(1, tool: "quiet"))
        // The file ends with the quiet writer's record; the other writer rotates it away.
        try rotating.append(sampleDecision(2, tool: "rotating"))
        #expect(access(path + ".1", F_OK) == 0)
        var info = stat()
        #expect(stat(path + ".1", &info) == 0 && info.st_mode & 0o222 == 0, "the rotated file is no longer writable")
        // At once (well within the path check interval), the quiet writer must follow to the new file.
        try quiet.append(sampleDecision(3, tool: "quiet"))
        try quiet.close()
        try rotating.close()
        #expect(try auditLines(path + ".1").count == 3, "its file_start record and the quiet writer's two")
        let newest = try auditLines(path)
        #expect(newest.count == 3, "the file_start record the rotating writer wrote, its record, the quiet writer's")
        #expect((try json(newest[0]))["event"]?.stringValue == "file_start")
        #expect((try json(newest[2]))["tool"]?.stringValue == "quiet")
        let result = AuditVerifier.verify(files: [path + ".1", path], key: nil)
        #expect(result.isIntact, "\(result.report)")
    }

    @Test("a writer that finds the file empty continues from path.1")
    func emptyAfterRotation() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let older = try writeSampleLog(path, count: 3)
        #expect(rename(path, path + ".1") == 0)
        let newer = try writeSampleLog(path, count: 2)
        let start = try json(newer[0])
        let lastOlder = try json(older[3])
        #expect(start["event"] == "file_start" && start["seq"] == 5 && start["prev"] == lastOlder["hash"])
        #expect(AuditVerifier.verify(files: [path + ".1", path], key: nil).isIntact)
    }

    /// `path.10` … `path.1`, `path`: those that exist, oldest first.
    static func existingFiles(_ path: String) -> [String] {
        let candidates = (1...(AuditLog.keptRotations + 1)).reversed().map { "\(path).\($0)" } + [path]
        return candidates.filter { access($0, F_OK) == 0 }
    }
}

/// Runs inside a helper process started by ``AuditConcurrencyTests/twoProcesses()``: appends
/// records to the file named in the environment. Does nothing in a normal test run.
@Suite("Audit: writer process (helper)")
struct AuditWriterProcess {
    static let pathVariable = "TOLLGATE_AUDIT_TEST_WRITER_PATH"
    static let countVariable = "TOLLGATE_AUDIT_TEST_WRITER_COUNT"

    @Test("appends records when started as a helper process")
    func appendFromEnvironment() throws {
        let environment = FileIO.environment()
        guard let path = environment[Self.pathVariable], let count = environment[Self.countVariable].flatMap(Int.init) else { return }
        let log = try AuditLog.open(path: path, fsync: .batch, rotateMB: nil, key: nil)
        for index in 0..<count { try log.append(sampleDecision(index, tool: "process\(getpid())")) }
        try log.close()
    }
}
