/// One call as `tollgate audit log` shows it: its `decision` record, joined with the `outcome`
/// record of the same run and request id (how a forwarded call ended) and the `approval` record
/// that came just before it (how a held call's approval ended), each kept with its line as written.
public struct AuditLogEntry: Sendable {
    /// A record and the line it was read from (without the newline).
    public struct Recorded: Sendable {
        public var record: AuditRecord
        public var line: [UInt8]

        public init(record: AuditRecord, line: [UInt8]) {
            self.record = record
            self.line = line
        }
    }

    /// The `decision` record.
    public var decision: Recorded
    /// The `outcome` record, once read.
    public var outcome: Recorded?
    /// The `approval` record, for a call that was held for approval.
    public var approval: Recorded?
    /// Where the decision record is: `file:line`.
    public var location: String

    public init(decision: Recorded, location: String) {
        self.decision = decision
        self.location = location
    }

    /// The decision's `time`.
    public var time: AuditTimestamp? { decision.record.string(AuditRecord.Field.time).flatMap(AuditTimestamp.init(rfc3339:)) }
    /// The tool the call named.
    public var tool: String { decision.record.string(AuditRecord.Field.tool) ?? "" }
    /// The server, when records name one.
    public var server: String? { decision.record.string(AuditRecord.Field.server) }
    /// `allowed`, `denied` or `would_deny`.
    public var decided: AuditRecord.Decision? { decision.record.string(AuditRecord.Field.decision).flatMap(AuditRecord.Decision.init(rawValue:)) }
    /// The decision's denial code (nil for an allowed call).
    public var code: String? { decision.record.string(AuditRecord.Field.code) }
    /// The code of the denial the client got in place of the server's answer (`timeout`, `result_too_large`, `server_unavailable`).
    public var outcomeCode: String? { outcome?.record.string(AuditRecord.Field.code) }
    /// The agent the record names, when it names one.
    public var agent: String? { decision.record.string(AuditRecord.Field.agent) }

    /// Whether the client got a denial: the call was denied (or would have been, in monitor mode),
    /// or a denial came in place of the server's answer.
    public var isDenial: Bool { decided != .allowed || outcomeCode != nil }

    /// Whether an outcome record is to be expected: the call was forwarded.
    var awaitsOutcome: Bool { decided != .denied && outcome == nil }
}
