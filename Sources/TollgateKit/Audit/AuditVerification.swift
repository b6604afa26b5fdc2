/// What ``AuditVerifier`` found: whether the chain is intact, the first bad record if not, and
/// the last record read, so that a log cut short at its end shows where it now ends.
public struct AuditVerification: Sendable, Equatable {
    /// Where a record is and what it says about itself.
    public struct RecordInfo: Sendable, Equatable {
        /// The file, as given.
        public var file: String
        /// The line, from 1.
        public var line: Int
        /// `seq`, if readable.
        public var seq: Int?
        /// `time`, if readable.
        public var time: String?
        /// `run`, if readable.
        public var run: String?
        /// `hash`, if readable.
        public var hash: String?

        /// `file:line`.
        public var location: String { "\(file):\(line)" }
    }

    /// The first thing wrong.
    public struct Problem: Sendable, Equatable {
        /// What is wrong.
        public enum Kind: String, Sendable {
            /// A file could not be read.
            case unreadable
            /// A line is not a JSON object with `hash`, `prev` and `alg`.
            case malformed
            /// The last line of a file has no newline: a write was cut short or the file truncated.
            case incomplete
            /// `alg` is neither `sha256` nor `hmac-sha256`.
            case unknownAlgorithm
            /// The record is keyed but no key was given: it cannot be checked.
            case keyRequired
            /// A key was given but the record is plain SHA-256: written (or re-hashed) without the key.
            case unkeyed
            /// `hash` does not match the content: the record was edited.
            case hashMismatch
            /// The line is not byte for byte what the writer writes for its content.
            case notCanonical
            /// `prev` is not the hash of the record before it: deleted, inserted, reordered or replayed records.
            case chainBroken
        }

        /// What is wrong.
        public var kind: Kind
        /// The bad record (for ``Kind/unreadable``, line 0).
        public var record: RecordInfo
        /// One sentence for humans.
        public var message: String
    }

    /// How many records were read (up to the end, also past a problem).
    public var records: Int
    /// How many files were read.
    public var files: Int
    /// The first problem, or nil when every record checks out.
    public var problem: Problem?
    /// The last record read.
    public var last: RecordInfo?
    /// Whether the first record continues a chain from files not given (its `prev` is not 64
    /// zeros): expected after rotation dropped old files, or when only recent files are checked.
    public var continuesEarlierChain: Bool
    /// `alg` of the records (nil when there are none; the first record's when they differ).
    public var algorithm: String?

    /// Whether the chain is intact.
    public var isIntact: Bool { problem == nil }

    /// The exit status for `tollgate audit verify`: 0 when intact, else 1.
    public var exitCode: Int32 { isIntact ? 0 : 1 }

    /// The report for humans: the verdict, the first bad record with what is wrong, and the last record.
    public var report: String {
        var lines: [String] = []
        let plural = records == 1 ? "record" : "records"
        let fileCount = files == 1 ? "1 file" : "\(files) files"
        if let problem {
            var head = "FAILED: \(problem.record.location)"
            if let seq = problem.record.seq { head += " (seq \(seq))" }
            lines.append(head + ": " + problem.message)
            lines.append("\(records) \(plural) read in \(fileCount)")
        } else {
            let keyed = algorithm == AuditRecord.Algorithm.hmacSHA256.rawValue ? ", keyed (HMAC-SHA-256)" : ""
            lines.append("OK: \(records) \(plural) in \(fileCount), chain intact\(keyed)")
            if continuesEarlierChain { lines.append("the first record continues a chain from earlier files (not given)") }
        }
        if let last {
            var text = "last record: \(last.location)"
            if let seq = last.seq { text += ", seq \(seq)" }
            if let time = last.time { text += ", \(time)" }
            if let run = last.run { text += ", run \(run)" }
            if let hash = last.hash { text += ", hash \(hash)" }
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }
}
