#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading an audit log for people (`tollgate audit log`, `tollgate audit summary`): its files
/// oldest first, and their chain checked with ``AuditVerifier`` unless the reader skips it.
public enum AuditReview {
    /// What was read.
    public struct Reading: Sendable {
        /// The files' contents, oldest first.
        public var sources: [AuditVerifier.Source]
        /// The verdict on their chain (nil when not checked).
        public var verification: AuditVerification?
    }

    /// Where output goes: each line to show (without its newline), notes for stderr, and a flush
    /// after each batch (following a log).
    public struct Output {
        public var line: (String) -> Void
        public var note: (String) -> Void
        public var flush: () -> Void

        public init(line: @escaping (String) -> Void, note: @escaping (String) -> Void, flush: @escaping () -> Void = {}) {
            self.line = line
            self.note = note
            self.flush = flush
        }
    }

    /// Reads `files` (oldest first; a file that does not exist is an error) and, when `verify`,
    /// checks their chain under `key` (see ``verify(_:log:key:)``).
    public static func read(files: [String], log: String, verify: Bool, key: [UInt8]?) throws(FileError) -> Reading {
        var sources: [AuditVerifier.Source] = []
        for file in files { sources.append(AuditVerifier.Source(name: file, bytes: try FileIO.read(file))) }
        return Reading(sources: sources, verification: verify ? Self.verify(sources, log: log, key: key) : nil)
    }

    /// Checks the chain of a log's files. When the oldest is the last rotation the writer keeps
    /// (`PATH.10`) and starts with its `file_start` record, the chain may start there: older records
    /// were dropped by rotation, as `audit verify --from` accepts.
    public static func verify(_ sources: [AuditVerifier.Source], log: String, key: [UInt8]?) -> AuditVerification {
        var from: Int?
        if let first = sources.first, AuditLogFiles.startsAfterDroppedRotation(sources.map(\.name), of: log),
            let line = first.bytes.split(separator: 0x0A, maxSplits: 1).first,
            let record = line.withUnsafeBytes({ try? JSONValue.parse($0) })?.objectValue.map(AuditRecord.init),
            record.string(AuditRecord.Field.event) == AuditRecord.Event.fileStart.rawValue
        {
            from = record.seq
        }
        return AuditVerifier.verify(sources, key: key, from: from)
    }

    /// The note for a chain that does not verify: where and why, and what to do.
    public static func warning(_ verification: AuditVerification) -> String {
        let verdict = verification.report.split(separator: "\n").first.map(String.init) ?? "FAILED"
        return "the audit chain does not verify: \(verdict)\n"
            + "the records are shown as written; 'tollgate audit verify' tells more, --no-verify skips the check"
    }

    /// Calls `body` with each line of `files` (oldest first), its file and its number. With
    /// `verify`, the files are read whole and their chain checked first (the verdict is returned);
    /// without, each is read a megabyte at a time, so a log of any size can be read.
    public static func forEachLine(files: [String], log: String, verify: Bool, key: [UInt8]?,
                                   _ body: ([UInt8], String, Int) -> Void) throws(FileError) -> AuditVerification? {
        guard verify else {
            for file in files { try forEachLine(ofFile: file) { line, number in body(line, file, number) } }
            return nil
        }
        let reading = try read(files: files, log: log, verify: true, key: key)
        for source in reading.sources { forEachLine(in: source.bytes) { line, number in body(line, source.name, number) } }
        return reading.verification
    }

    /// Calls `body` with each line of `bytes` (without newlines; a last line without one too) and its number.
    static func forEachLine(in bytes: [UInt8], _ body: ([UInt8], Int) -> Void) {
        var lines = AuditLineSplitter()
        lines.split(bytes[...], body)
        if !lines.partial.isEmpty { body(lines.partial, lines.count + 1) }
    }

    /// The same for the file at `path`, read a megabyte at a time.
    static func forEachLine(ofFile path: String, _ body: ([UInt8], Int) -> Void) throws(FileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(fd) }
        var lines = AuditLineSplitter()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { readRetrying(fd, $0) }
            guard count >= 0 else { throw FileError(path: path, errno: errno) }
            if count == 0 { break }
            lines.split(chunk[..<count], body)
        }
        if !lines.partial.isEmpty { body(lines.partial, lines.count + 1) }
    }
}
