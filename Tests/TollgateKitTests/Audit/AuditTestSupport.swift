import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Helpers for the audit tests: a scratch directory, log files as lines, and ready-made records.

/// A fresh directory under /tmp, removed (with its files) by ``remove()``.
struct AuditScratch {
    let path: String

    init() throws {
        var template = Array("/tmp/tollgate-audit-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure() }
        path = String(cString: made)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// Removes every file in the directory, then the directory.
    func remove() {
        guard let directory = opendir(path) else { return }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink(file(name)) }
        }
        closedir(directory)
        rmdir(path)
    }
}

/// The lines of a file (without newlines).
func auditLines(_ path: String) throws -> [[UInt8]] {
    splitLines(try FileIO.read(path))
}

/// Writes bytes to a file, replacing it.
func auditWriteFile(_ path: String, _ content: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    writeFully(fd, content)
    close(fd)
}

/// Joins lines into file content (each with its newline).
func auditJoinLines(_ lines: [[UInt8]]) -> [UInt8] {
    lines.flatMap { $0 + [0x0A] }
}

/// A decision record for tests.
func sampleDecision(_ index: Int, tool: String = "read_file", decision: AuditRecord.Decision = .allowed) -> AuditRecord {
    AuditRecord.decision(
        decision, server: "files", tool: tool,
        arguments: ["path": .string("/srv/data/\(index).txt"), "password": "hunter2"],
        argumentsMode: .redacted,
        outcome: .init(isError: false, bytes: 100 + index, tokens: 25, durationUs: 1000 + index))
}

/// Verifies the content of in-memory files.
func verifyLines(_ files: [(String, [[UInt8]])], key: [UInt8]? = nil, from: Int? = nil) -> AuditVerification {
    AuditVerifier.verify(files.map { AuditVerifier.Source(name: $0.0, bytes: auditJoinLines($0.1)) }, key: key, from: from)
}

/// Writes `records` to a new log at `path` through the log writer (chained, hashed).
func writeAuditLog(_ path: String, _ records: [AuditRecord], key: [UInt8]? = nil) throws {
    let log = try AuditLog.open(path: path, fsync: .batch, rotateMB: nil, key: key)
    for record in records { try log.append(record) }
    try log.close()
}

/// Writes `count` sample records to a new log at `path` and returns the log's lines.
func writeSampleLog(_ path: String, count: Int, key: [UInt8]? = nil) throws -> [[UInt8]] {
    try writeAuditLog(path, (0..<count).map { sampleDecision($0) }, key: key)
    return try auditLines(path)
}
