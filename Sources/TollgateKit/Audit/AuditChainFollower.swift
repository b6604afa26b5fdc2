/// Checks records as they are appended to a log that ``AuditVerifier`` checked up to its end
/// (`tollgate audit log --follow`): each new record with the verifier's own checks, on its own and
/// against the record before it (its hash and form, its `prev` and `seq`, and the `file_start`
/// record that must begin a file after a rotation).
struct AuditChainFollower {
    private let key: [UInt8]?
    /// The last record checked (nil before the first, for a log that had none).
    private var last: AuditVerifier.Entry?

    /// A follower of a log whose existing records gave `verification` (which must be intact).
    init(after verification: AuditVerification, key: [UInt8]?) {
        self.key = key
        last = verification.last.map { AuditVerifier.Entry(info: $0, prev: nil, alg: verification.algorithm, event: nil, problem: nil) }
    }

    /// Checks the next record, read from line `number` of `file`; returns what is wrong with it, if anything.
    mutating func check(_ line: [UInt8], file: String, number: Int) -> AuditVerification.Problem? {
        var entry = AuditVerifier.check(line[...], key: key)
        entry.info.file = file
        entry.info.line = number
        if let (kind, message) = entry.problem { return .init(kind: kind, record: entry.info, message: message) }
        let entries = last.map { [$0, entry] } ?? [entry]
        let index = entries.count - 1
        let problem = AuditVerifier.headProblem(at: index, entries, from: nil)
            ?? (index > 0 ? AuditVerifier.chainProblem(at: index, entries, positions: [:]) ?? AuditVerifier.sequenceProblem(at: index, entries) : nil)
        last = entry
        return problem
    }
}
