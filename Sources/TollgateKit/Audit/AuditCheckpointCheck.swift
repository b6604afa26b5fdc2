/// Checks an audit log against the checkpoints taken of it (`tollgate audit verify --checkpoints
/// FILE`): every checkpoint's `seq` must be in the log with the checkpoint's `hash`. A log whose
/// last records were cut verifies on its own; it fails here, since a checkpoint saw more.
///
/// With the audit key, every checkpoint must carry the MAC that key gives, so one written by
/// someone without the key is refused; without the key, the report says they are unauthenticated.
public struct AuditCheckpointCheck: Sendable, Equatable {
    /// The checkpoints read (lines that are not checkpoints are counted in ``unreadable``).
    public var checked = 0
    public var unreadable = 0
    /// Checkpoints before `--from`, which the records given cannot show.
    public var skipped = 0
    /// The first problem, if any.
    public var problem: String?
    /// The latest checkpoint found in the log.
    public var latest: AuditCheckpoint?
    /// Whether the checkpoints were checked against the key.
    public var authenticated = false

    public var isIntact: Bool { problem == nil }

    /// Checks the log `files` (oldest first, the last being the log itself) against the
    /// checkpoints in `checkpointFile`; `from` is the first seq the files hold, when not 1.
    public static func check(files: [String], checkpointFile: String, key: [UInt8]?, from: Int?) throws(FileError) -> AuditCheckpointCheck {
        var result = AuditCheckpointCheck()
        var checkpoints: [(line: Int, checkpoint: AuditCheckpoint)] = []
        try AuditReview.forEachLine(ofFile: checkpointFile) { line, number in
            guard !line.isEmpty else { return }
            if let checkpoint = AuditCheckpoint(line: line) { checkpoints.append((number, checkpoint)) } else { result.unreadable += 1 }
        }
        guard !checkpoints.isEmpty else {
            result.problem = "\(checkpointFile) holds no checkpoint"
            return result
        }
        if let key {
            result.authenticated = true
            if let forged = checkpoints.first(where: { !$0.checkpoint.isAuthentic(key: key) }) {
                result.problem = "\(checkpointFile):\(forged.line): the checkpoint's MAC does not match the audit key (forged, edited, or taken under another key)"
                return result
            }
        }
        let first = from ?? 1
        let wanted = Set(checkpoints.map(\.checkpoint.seq).filter { $0 >= first })
        var found: [Int: String] = [:]
        var lastSeq = 0
        _ = try AuditReview.forEachLine(files: files, log: files[files.count - 1], verify: false, key: nil) { line, _, _ in
            guard case .object(let record)? = try? JSONValue.parse(line), case .number(let text)? = record["seq"], let seq = Int(text) else { return }
            lastSeq = max(lastSeq, seq)
            if wanted.contains(seq), let hash = record["hash"]?.stringValue { found[seq] = hash }
        }
        for (number, checkpoint) in checkpoints.sorted(by: { $0.checkpoint.seq < $1.checkpoint.seq }) {
            guard checkpoint.seq >= first else {
                result.skipped += 1
                continue
            }
            result.checked += 1
            guard let hash = found[checkpoint.seq] else {
                result.problem = checkpoint.seq > lastSeq
                    ? "the log ends at seq \(lastSeq), but the checkpoint of \(checkpoint.time) (\(checkpointFile):\(number)) saw seq \(checkpoint.seq): "
                        + "\(checkpoint.seq - lastSeq) record\(checkpoint.seq - lastSeq == 1 ? " was" : "s were") cut from its end"
                    : "the record of seq \(checkpoint.seq), which the checkpoint of \(checkpoint.time) (\(checkpointFile):\(number)) saw, is not in the log"
                return result
            }
            guard hash.utf8.elementsEqual(checkpoint.hash.utf8) else {
                result.problem = "the record of seq \(checkpoint.seq) is not the one the checkpoint of \(checkpoint.time) (\(checkpointFile):\(number)) saw: its hash differs"
                return result
            }
            result.latest = checkpoint
        }
        return result
    }

    /// The lines of the report.
    public var report: String {
        var lines: [String] = []
        if let problem {
            lines.append("FAILED: \(problem)")
        } else if let latest {
            lines.append("OK: \(checked) checkpoint\(checked == 1 ? "" : "s") found in the log; the latest (seq \(latest.seq), \(latest.time)) proves no record up to it was removed")
        } else {
            lines.append("OK: no checkpoint falls within the records given")
        }
        if skipped > 0 { lines.append("\(skipped) checkpoint\(skipped == 1 ? "" : "s") before --from not checked") }
        if unreadable > 0 { lines.append("\(unreadable) line\(unreadable == 1 ? "" : "s") of the checkpoint file are not checkpoints") }
        if !authenticated { lines.append("the checkpoints are not authenticated (no TOLLGATE_AUDIT_KEY): whoever can write their file could have edited them") }
        return lines.joined(separator: "\n")
    }
}
