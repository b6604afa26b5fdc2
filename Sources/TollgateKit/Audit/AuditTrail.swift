/// What a gate records in the audit log: one `decision` record per call, written before the call
/// is forwarded (so a call that cannot be recorded never runs), and one `outcome` record when a
/// forwarded call's response arrives.
///
/// Group commit: between ``beginGroup()`` and ``commitGroup()``, records are kept in order and
/// written together in one `write` (see ``AuditLog/append(entries:)``); a failed commit wrote
/// none of them, so every call recorded in the group is refused.
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
    /// Whether a group is open; its records, in order; the calls it started; and the outcome
    /// records queued meanwhile (queued after the group's records). Kept with their capacity.
    private var grouping = false
    private var group: [AuditLog.Entry] = []
    private var groupStarted: [RequestID] = []
    private var groupOutcomes: [AuditLog.Entry] = []

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
        try write(.call(AuditCallRecord.decision(decision, origin: origin, tool: call.name, id: call.id.description, arguments: call.arguments,
                                                 argumentsMode: arguments, maxArgumentBytes: maxArgumentBytes, denial: denial, budgets: budgets)))
        if decision != .denied {
            started[call.id] = Self.nowMicros()
            if grouping { groupStarted.append(call.id) }
        }
    }

    /// Records anything else (a budget crossing, an approval, a reload, a changed tool).
    public mutating func record(_ record: AuditRecord) throws(AuditError) {
        try write(.record(record))
    }

    /// Writes a record now, or adds it to the open group.
    private mutating func write(_ entry: AuditLog.Entry) throws(AuditError) {
        if grouping {
            group.append(entry)
        } else {
            try log.append(entries: CollectionOfOne(entry))
        }
    }

    /// Opens a group: records are kept until ``commitGroup()``.
    public mutating func beginGroup() {
        grouping = true
    }

    /// Writes the group's records in one `write` (with `fsync: always`, one sync); throws when
    /// they could not be written: then none of the group's calls may run.
    public mutating func commitGroup() throws(AuditError) {
        guard grouping else { return }
        grouping = false
        defer {
            for outcome in groupOutcomes { log.appendLater(entry: outcome) }
            group.removeAll(keepingCapacity: true)
            groupStarted.removeAll(keepingCapacity: true)
            groupOutcomes.removeAll(keepingCapacity: true)
        }
        guard !group.isEmpty else { return }
        do throws(AuditError) {
            try log.append(entries: group)
        } catch {
            for id in groupStarted { started.removeValue(forKey: id) }
            throw error
        }
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
        let entry = AuditLog.Entry.outcome(origin: origin, tool: call.name, id: call.id, outcome: recorded)
        if grouping { groupOutcomes.append(entry) } else { log.appendLater(entry: entry) }
    }

    /// Records a budget threshold crossing.
    public mutating func recordBudget(_ crossing: BudgetCrossing) throws(AuditError) {
        try record(AuditRecord.budget(crossing, server: server))
    }

    static func nowMicros() -> Int64 { SystemClock.monotonicMicroseconds() }
}
