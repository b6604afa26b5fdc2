/// What ``AuditVerifier`` found: whether the chain is intact, the first bad record if not, the
/// range of `seq` read, and the last record read, so that a log cut short at its end shows where
/// it now ends.
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

        /// `file:line` (the file alone for line 0: the file as a whole).
        public var location: String { line > 0 ? "\(file):\(line)" : file }
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
            /// No records at all, or a file given holds none: an empty log proves nothing.
            case empty
            /// A file does not start with a `file_start` record: its first records were cut (or an
            /// earlier version of Tollgate, which wrote none, began it).
            case noFileStart
            /// `seq` is not the one expected: the log does not start at 1 (or at `--from`), or a
            /// record's `seq` does not follow the one before it.
            case sequence
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
    /// The `seq` of the first record read (the range read runs from it to `last`'s).
    public var firstSeq: Int?
    /// Where the log was said to start (`--from`), or nil: at seq 1, with a `file_start` record
    /// whose `prev` is 64 zeros.
    public var from: Int?
    /// Whether the first record continues a chain from files not given (its `prev` is not 64
    /// zeros): only accepted with ``from``, after rotation dropped old files or when only recent
    /// files are checked.
    public var continuesEarlierChain: Bool
    /// `alg` of the records (nil when there are none; the first record's when they differ).
    public var algorithm: String?

    /// Whether the chain is intact.
    public var isIntact: Bool { problem == nil }

    /// The exit status for `tollgate audit verify`: 0 when intact, else 1.
    public var exitCode: Int32 { isIntact ? 0 : 1 }

    /// The `seq` range read, as `seq 1 to 42` (empty without records).
    public var range: String {
        guard let firstSeq, let lastSeq = last?.seq else { return "" }
        return "seq \(firstSeq) to \(lastSeq)"
    }

    /// The report for humans: the verdict with the `seq` range read, the first bad record with
    /// what is wrong, and the last record.
    public var report: String {
        var lines: [String] = []
        let plural = records == 1 ? "record" : "records"
        let fileCount = files == 1 ? "1 file" : "\(files) files"
        let seen = range.isEmpty ? "" : ", \(range)"
        if let problem {
            var head = "FAILED: \(problem.record.location)"
            if let seq = problem.record.seq { head += " (seq \(seq))" }
            lines.append(head + ": " + problem.message)
            lines.append("\(records) \(plural) read in \(fileCount)\(seen)")
        } else {
            let keyed = algorithm == AuditRecord.Algorithm.hmacSHA256.rawValue ? ", keyed (HMAC-SHA-256)" : ""
            lines.append("OK: \(records) \(plural) in \(fileCount)\(seen), chain intact\(keyed)")
            if let from, from > 1 {
                lines.append("the log starts at seq \(from), as --from says: the records before it were not given and are not checked")
            }
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
