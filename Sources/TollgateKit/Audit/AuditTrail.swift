/// What a gate records in the audit log: one `decision` record per call, written before the call
/// is forwarded (so a call that cannot be recorded never runs), and one `outcome` record when a
/// forwarded call's response arrives.
public struct AuditTrail: Sendable {
    /// The log the records go to.
    public let log: AuditLog
    /// What of the arguments is recorded.
    public let arguments: AuditRedaction.Mode
    /// The server's name in records.
    public let server: String?
    /// When each forwarded call left, in monotonic microseconds.
    private var started: [RequestID: Int64] = [:]
    /// `,"server":"…"` as written in every record of this trail (empty without a server).
    private let serverMember: [UInt8]

    public init(log: AuditLog, arguments: AuditRedaction.Mode, server: String?) {
        self.log = log
        self.arguments = arguments
        self.server = server
        serverMember = AuditCallRecord.serverMember(server)
    }

    /// Records a decision, with the budgets left after it when budgets apply; throws when the
    /// record could not be written.
    public mutating func recordDecision(_ call: ToolCall, _ decision: AuditRecord.Decision, denial: Denial?,
                                        budgets: JSONObject? = nil) throws(AuditError) {
        try log.append(AuditCallRecord.decision(decision, serverMember: serverMember, tool: call.name, id: call.id.description, arguments: call.arguments,
                                                 argumentsMode: arguments, denial: denial, budgets: budgets))
        if decision != .denied { started[call.id] = Self.nowMicros() }
    }

    /// Records how a forwarded call ended; `tokens` is the result's estimated size in tokens,
    /// when budgets estimated it; `withheld` says the client got a `result_too_large` denial in
    /// place of the result. A timeout, a withheld result and a server gone away are recorded with
    /// the denial's `code`, so that they can be told apart. The record is queued and written once
    /// the response was relayed (see ``AuditLog``); a failure to write it is thrown by the log's
    /// next append.
    public mutating func recordOutcome(_ call: ToolCall, _ outcome: CallOutcome, tokens: Int64? = nil, withheld: Bool = false) {
        let start = started.removeValue(forKey: call.id)
        let duration = start.map { Int(Self.nowMicros() - $0) } ?? 0
        let recorded: AuditRecord.Outcome
        switch outcome {
        case .result(let isError, let bytes):
            recorded = AuditRecord.Outcome(isError: isError || withheld, bytes: bytes, tokens: tokens.map { Int($0) }, durationUs: duration,
                                           code: withheld ? .resultTooLarge : nil)
        case .error: recorded = AuditRecord.Outcome(isError: true, bytes: 0, durationUs: duration)
        case .serverGone: recorded = AuditRecord.Outcome(isError: true, bytes: 0, durationUs: duration, code: .serverUnavailable)
        case .timedOut: recorded = AuditRecord.Outcome(isError: true, bytes: 0, durationUs: duration, code: .timeout)
        }
        log.appendLater(entry: .outcome(serverMember: serverMember, tool: call.name, id: call.id, outcome: recorded))
    }

    /// Records a budget threshold crossing.
    public func recordBudget(_ crossing: BudgetCrossing) throws(AuditError) {
        try log.append(AuditRecord.budget(crossing, server: server))
    }

    static func nowMicros() -> Int64 { SystemClock.monotonicMicroseconds() }
}
