/// Checks audit files: every record's hash against its canonical content, and every `prev`
/// against the hash of the record before it, across files given oldest first (`path.2`,
/// `path.1`, `path`). The first bad record is named with what is wrong with it: an edited
/// field (hash mismatch), a deleted record (its successor's `prev` is unknown), an inserted
/// record, a reordered or replayed one, a forged chain (plain SHA-256 where a key is expected).
///
/// The head is checked too: every file must start with a `file_start` record, and `seq` must run
/// 1, 2, 3, … without a gap from the first record given, which must be seq 1 with a `prev` of 64
/// zeros (the start of the chain), or the seq `from` names when the log legitimately starts
/// later (older files archived or rotated away; with `from`, the first record need not be a
/// `file_start`). No records at all, or a file given with none, fails: an empty log proves
/// nothing. A cut tail cannot be seen from the files alone: the last record is reported, to be
/// compared with a copy kept elsewhere.
///
/// With a key, every record must be `hmac-sha256` and match under that key. Without a key,
/// `sha256` records are checked and an `hmac-sha256` record stops the check: it cannot be
/// verified without `TOLLGATE_AUDIT_KEY`.
public enum AuditVerifier {
    /// One file's name and content.
    public struct Source: Sendable {
        /// The name used in reports.
        public var name: String
        /// The file's bytes.
        public var bytes: [UInt8]

        /// Creates a source.
        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// One line read: where it is, its chain fields, and what is wrong with it on its own.
    struct Entry {
        var info: AuditVerification.RecordInfo
        var prev: String?
        var alg: String?
        var event: String?
        var problem: (AuditVerification.Problem.Kind, String)?
    }

    /// Reads and checks files (oldest first); a file that cannot be read is reported as the
    /// problem. `from`: the `seq` the log starts at, when not 1 (see ``AuditVerifier``).
    public static func verify(files paths: [String], key: [UInt8]?, from: Int? = nil) -> AuditVerification {
        var sources: [Source] = []
        for path in paths {
            do {
                sources.append(Source(name: path, bytes: try FileIO.read(path)))
            } catch {
                let info = AuditVerification.RecordInfo(file: path, line: 0)
                var result = verify(sources, key: key, from: from)
                if result.problem == nil || result.problem?.kind == .empty {
                    result.problem = .init(kind: .unreadable, record: info, message: "cannot read: \(error)")
                }
                return result
            }
        }
        return verify(sources, key: key, from: from)
    }

    /// Checks file contents given oldest first; `from` as in ``verify(files:key:from:)``.
    public static func verify(_ sources: [Source], key: [UInt8]?, from: Int? = nil) -> AuditVerification {
        var entries: [Entry] = []
        var emptyFile: String?
        for source in sources {
            let before = entries.count
            read(source, key: key, into: &entries)
            if entries.count == before, emptyFile == nil { emptyFile = source.name }
        }
        var result = AuditVerification(
            records: entries.count, files: sources.count, problem: nil, last: entries.last?.info, firstSeq: entries.first?.info.seq,
            from: from, continuesEarlierChain: false, algorithm: entries.first?.alg)
        var positions: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            if let hash = entry.info.hash, positions[hash] == nil { positions[hash] = index }
        }
        for (index, entry) in entries.enumerated() {
            if let (kind, message) = entry.problem {
                result.problem = .init(kind: kind, record: entry.info, message: message)
                break
            }
            if let problem = headProblem(at: index, entries, from: from) {
                result.problem = problem
                break
            }
            if index == 0 {
                result.continuesEarlierChain = entry.prev != AuditRecord.genesisHash
                continue
            }
            if let problem = chainProblem(at: index, entries, positions: positions) ?? sequenceProblem(at: index, entries) {
                result.problem = problem
                break
            }
        }
        if result.problem == nil, entries.isEmpty || emptyFile != nil {
            let message = entries.isEmpty
                ? "no records: an empty log proves nothing (every log Tollgate writes starts with a file_start record)"
                : "the file holds no records (every file Tollgate writes starts with a file_start record)"
            result.problem = .init(kind: .empty, record: .init(file: emptyFile ?? "", line: 0), message: message)
        }
        return result
    }
}
