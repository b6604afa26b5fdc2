/// What a gate records in the audit log: one `decision` record per call, written before the call
/// is forwarded (so a call that cannot be recorded never runs), and one `outcome` record when a
/// forwarded call's response arrives.
public struct AuditTrail: Sendable {
    /// The log the records go to.
    public let log: AuditLog
    /// What of the arguments is recorded.
    public let arguments: AuditRedaction.Mode
    /// The canonical size beyond which arguments are cut in a record (see ``AuditArguments``).
    public let maxArgumentBytes: Int
    /// The server's name in records.
    public let server: String?
    /// The agent the calls come from, recorded as `agent` in every call record (at most
    /// ``maxAgentBytes``, cut at a character): the name given at start (`tollgate run --agent`,
    /// `TOLLGATE_AGENT`), which nothing changes; without one, the client's own name
    /// (`clientInfo.name`) once known.
    public var agent: String? {
        get { agentName }
        set {
            guard !agentIsGiven else { return }
            agentName = newValue.map(Self.bounded)
            origin = AuditCallRecord.Origin(agent: agentName, workflow: workflow, server: server)
        }
    }
    /// The workflow the calls belong to (`tollgate run --workflow`, `TOLLGATE_WORKFLOW`),
    /// recorded as `workflow` in every call record.
    public let workflow: String?
    private var agentName: String?
    private let agentIsGiven: Bool
    /// When each forwarded call left, in monotonic microseconds.
    private var started: [RequestID: Int64] = [:]
    /// The agent's and server's members as written in every call record of this trail.
    private var origin: AuditCallRecord.Origin

    /// The longest agent (or workflow) name recorded, in UTF-8 bytes.
    public static let maxAgentBytes = 200

    /// A trail into `log`; `agent` and `workflow` are the names given at start, if any.
    public init(log: AuditLog, arguments: AuditRedaction.Mode, maxArgumentBytes: Int = AuditArguments.defaultMaxBytes, server: String?,
                agent: String? = nil, workflow: String? = nil) {
        self.log = log
        self.arguments = arguments
        self.maxArgumentBytes = maxArgumentBytes
        self.server = server
        agentName = agent.map(Self.bounded)
        agentIsGiven = agent != nil
        self.workflow = workflow.map(Self.bounded)
        origin = AuditCallRecord.Origin(agent: agentName, workflow: self.workflow, server: server)
    }

    /// `name` cut to at most ``maxAgentBytes`` bytes at a scalar boundary.
    static func bounded(_ name: String) -> String {
        guard name.utf8.count > maxAgentBytes else { return name }
        var bytes = 0
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxAgentBytes { break }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// Records a decision, with the budgets left after it when budgets apply; throws when the
    /// record could not be written.
    public mutating func recordDecision(_ call: ToolCall, _ decision: AuditRecord.Decision, denial: Denial?,
                                        budgets: JSONObject? = nil) throws(AuditError) {
        try log.append(AuditCallRecord.decision(decision, origin: origin, tool: call.name, id: call.id.description, arguments: call.arguments,
                                                 argumentsMode: arguments, maxArgumentBytes: maxArgumentBytes, denial: denial, budgets: budgets))
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
        log.appendLater(entry: .outcome(origin: origin, tool: call.name, id: call.id, outcome: recorded))
    }

    /// Records a budget threshold crossing.
    public func recordBudget(_ crossing: BudgetCrossing) throws(AuditError) {
        try log.append(AuditRecord.budget(crossing, server: server))
    }

    static func nowMicros() -> Int64 { SystemClock.monotonicMicroseconds() }
}
