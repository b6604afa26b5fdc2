extension AuditVerifier {
    /// Splits a file into lines and checks each record on its own.
    static func read(_ source: Source, key: [UInt8]?, into entries: inout [Entry]) {
        var start = 0
        var lineNumber = 0
        let bytes = source.bytes
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.count
            var entry = check(bytes[start..<end], key: key)
            entry.info.file = source.name
            entry.info.line = lineNumber
            if newline == nil {
                entry.problem = (.incomplete, "the last line has no newline: a write was cut short or the file was truncated")
            }
            entries.append(entry)
            start = end + 1
        }
    }

    /// Checks one line: a JSON object, well-formed chain fields, the algorithm, the hash, the canonical form.
    static func check(_ line: ArraySlice<UInt8>, key: [UInt8]?) -> Entry {
        var entry = Entry(info: .init(file: "", line: 0), prev: nil, alg: nil, event: nil, problem: nil)
        let parsed = line.withUnsafeBytes { buffer in
            Result { () throws(JSONScanError) -> JSONValue in try JSONValue.parse(buffer) }
        }
        guard case .success(.object(let object)) = parsed else {
            let why = if case .failure(let error) = parsed { "not JSON (\(error))" } else { "not a JSON object" }
            entry.problem = (.malformed, "\(why): not an audit record")
            return entry
        }
        let record = AuditRecord(object)
        entry.info.seq = record.seq
        entry.info.time = record.string(AuditRecord.Field.time)
        entry.info.run = record.string(AuditRecord.Field.run)
        entry.event = record.string(AuditRecord.Field.event)
        entry.prev = record.prev
        guard let hash = record.hash, Hex.isLowercase(hash, count: 64) else {
            entry.problem = (.malformed, "no \"hash\" of 64 lowercase hex digits")
            return entry
        }
        entry.info.hash = hash
        guard let prev = record.prev, Hex.isLowercase(prev, count: 64) else {
            entry.problem = (.malformed, "no \"prev\" of 64 lowercase hex digits")
            return entry
        }
        guard let seq = record.seq, seq > 0 else {
            entry.problem = (.malformed, "no \"seq\" (a whole number from 1)")
            return entry
        }
        let alg = record.string(AuditRecord.Field.alg)
        entry.alg = alg
        switch alg.flatMap(AuditRecord.Algorithm.init(rawValue:)) {
        case nil:
            entry.problem = (.unknownAlgorithm, "unknown \"alg\" \(alg.map { "\"\($0)\"" } ?? "(missing)")")
            return entry
        case .hmacSHA256 where key == nil:
            entry.problem = (.keyRequired, "the record is keyed (hmac-sha256): cannot verify without TOLLGATE_AUDIT_KEY")
            return entry
        case .sha256 where key != nil:
            entry.problem = (.unkeyed, "the record is hashed with plain SHA-256, not HMAC with the key: written without the key (a forged or re-hashed chain)")
            return entry
        default:
            break
        }
        let canonical = record.canonicalBytes
        guard AuditRecord.chainHash(of: canonical, key: key) == hash else {
            let what = key == nil ? "hash" : "HMAC"
            entry.problem = (.hashMismatch, "the \(what) does not match the record's content: the record was edited" + (key == nil ? "" : " (or the key is wrong)"))
            return entry
        }
        guard AuditRecord.line(canonical: canonical, hash: hash).dropLast().elementsEqual(line) else {
            entry.problem = (.notCanonical, "the line is not in canonical form (whitespace, member order or escapes changed)")
            return entry
        }
        return entry
    }

    /// Why the record at `index` cannot be where it is at the head of the log or of its file, or
    /// nil when it can: the first record must be the chain's start (seq 1, `prev` 64 zeros) or the
    /// seq `from` names, and every file must start with a `file_start` record (the first one
    /// given need not, with `from`).
    static func headProblem(at index: Int, _ entries: [Entry], from: Int?) -> AuditVerification.Problem? {
        let entry = entries[index]
        func problem(_ kind: AuditVerification.Problem.Kind, _ message: String) -> AuditVerification.Problem {
            .init(kind: kind, record: entry.info, message: message)
        }
        if entry.info.line == 1, index > 0 || from == nil, entry.event != AuditRecord.Event.fileStart.rawValue {
            return problem(.noFileStart, "the file does not start with a file_start record: its first records were cut"
                + " (or a version of Tollgate that wrote none began it)")
        }
        guard index == 0, let seq = entry.info.seq else { return nil }
        let start = from ?? 1
        if seq != start {
            if let from { return problem(.sequence, "the log starts at seq \(seq), not at seq \(from) as --from says") }
            return problem(.sequence, "the log starts at seq \(seq), not 1: the \(seq - 1) records before it are missing (its head was cut, "
                + "or older files were not given); if they were archived or rotated away on purpose, verify with --from \(seq)")
        }
        if (seq == 1) != (entry.prev == AuditRecord.genesisHash) {
            return problem(.sequence, seq == 1 ? "seq 1, but \"prev\" is not 64 zeros: records came before it"
                : "\"prev\" is 64 zeros (the start of a chain), but seq is \(seq)")
        }
        return nil
    }

    /// Why the record at `index` does not have the `seq` after the one before it, or nil when it does.
    static func sequenceProblem(at index: Int, _ entries: [Entry]) -> AuditVerification.Problem? {
        guard let seq = entries[index].info.seq, let before = entries[index - 1].info.seq, seq != before + 1 else { return nil }
        return .init(kind: .sequence, record: entries[index].info,
                     message: "seq \(seq) follows seq \(before) (at \(entries[index - 1].info.location)): the log's count of records does not run on")
    }

    /// Why the record at `index` does not follow the one before it, or nil when it does.
    static func chainProblem(at index: Int, _ entries: [Entry], positions: [String: Int]) -> AuditVerification.Problem? {
        let entry = entries[index]
        let before = entries[index - 1]
        guard entry.prev != before.info.hash else { return nil }
        func problem(_ record: AuditVerification.RecordInfo, _ message: String) -> AuditVerification.Problem {
            .init(kind: .chainBroken, record: record, message: message)
        }
        if let hash = entry.info.hash, let first = positions[hash], first < index {
            return problem(entry.info, "a copy of the record at \(entries[first].info.location): a record was replayed")
        }
        guard let prev = entry.prev else { return nil }
        if prev == AuditRecord.genesisHash {
            return problem(entry.info, "\"prev\" is 64 zeros: a new chain starts here, so the records before it are not its history")
        }
        if let predecessor = positions[prev] {
            if predecessor > index {
                return problem(entry.info, "out of order: its predecessor is at \(entries[predecessor].info.location), after it (records were reordered)")
            }
            let inserted = entries[predecessor + 1]
            let count = index - predecessor - 1
            let what = count == 1 ? "this record was inserted" : "this record and the \(count - 1) after it were inserted"
            return problem(inserted.info, "\(what): the record at \(entry.info.location) continues from \(entries[predecessor].info.location)")
        }
        if index + 1 < entries.count, entries[index + 1].prev == before.info.hash {
            return problem(entry.info, "this record was inserted: the record after it continues from \(before.info.location)")
        }
        return problem(entry.info, "\"prev\" is not the hash of the record before it (\(before.info.location)): a record was deleted there, or the one before it was edited and re-hashed")
    }
}
