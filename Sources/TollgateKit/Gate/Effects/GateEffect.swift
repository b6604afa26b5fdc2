/// What a decision asks to be carried out with I/O: budget reservations in a ledger (or any
/// other account), audit records, a ledger sync, telemetry's events. A gate decides without I/O and queues these;
/// the ``EffectsOwner`` carries them out, in the order they were decided, off the session's
/// lock and before anything that depends on them reaches a peer.
///
/// Indirect: an effect is moved and copied several times between the gate and its group commit,
/// and a call's payload holds a dozen references; boxed, a copy is one retain.
public indirect enum GateEffect: Sendable {
    /// A call the policy decided: reserve its budgets (rate limits first) unless the policy
    /// denied it, then write its `decision` record. A held call is only reserved (its decision is
    /// recorded when its approval ends). Refused (``EffectRefusal``) when a budget refuses the
    /// call, the reservation cannot be made or the record cannot be written.
    case admit(CallAdmission)
    /// A held call's approval ended: its `approval` record, then its `decision` record (the
    /// reservation is released when it is not approved). Refused when an approved call's
    /// records cannot be written. `nameIsKnown`: see ``CallAdmission/nameIsKnown``.
    case approvalEnded(ToolCall, ApprovalHold, ApprovalOutcome, nameIsKnown: Bool)
    /// A forwarded call ended: settle its reservation with the result's tokens and queue its
    /// `outcome` record. `withheld`: the client got `result_too_large` instead of the result.
    /// `endedAt`: when it ended (monotonic nanoseconds; nil unless the effects report to telemetry).
    case completed(ToolCall, CallOutcome, tokens: Int64?, withheld: Bool, endedAt: Int64?)
    /// The client answered a granted sampling request: settle the grant with the tokens used
    /// (nil: unknown, it stays counted in full; 0 for a request that never reached the client).
    case samplingAnswered(SamplingGrant, tokens: Int64?)
    /// The client named itself (`clientInfo`): the `agent` of call records from now on.
    case clientIdentified(String)
    /// A pinned tool's listed definition changed: its `tool_changed` record.
    case toolChanged(PinCheck.Change)
    /// Sync what a ledger with batched fsync wrote.
    case syncLedger
    /// A reloaded manifest took over: its `reload` record and, unless the budgets stay as they
    /// are (nil), its budget settings (calls in flight settle into them).
    case reloaded(manifestSha256: String?, limits: BudgetLimits?, monitoring: Bool)
    /// Sample the budgets for telemetry's gauges (at most once per metric interval).
    case sampleBudgets
    /// Something telemetry counts happened (a dropped response, a restart).
    case counted(TelemetryCounter)
}

/// A call as the policy decided it, before its budgets and its record.
public struct CallAdmission: Sendable {
    public var call: ToolCall
    /// The budget rules the call counts against (indices into the budgets' rules).
    public var rules: [Int]
    /// The policy's denial (nil: the policy lets it through).
    public var denial: Denial?
    /// Whether the manifest only monitors: nothing is refused, would-be denials are recorded.
    public var monitoring: Bool
    /// Whether the call is held for approval.
    public var held: Bool
    /// Whether the server listed the tool's name or a rule names it exactly: only such names
    /// become telemetry's span names and labels as they are (set only for telemetry).
    public var nameIsKnown = false
    /// When the gate took the call up (monotonic nanoseconds; nil unless the effects report to
    /// telemetry): the start of its span.
    public var decidedAt: Int64?
}

/// A call's verdict taken back after the fact: an effect the decision depended on could not be
/// carried out (or a budget shared with other processes refused), so the call must not go on.
/// The session forgets it; the client gets `reply`.
public struct EffectRefusal: Sendable, Equatable {
    /// The client's id of the call.
    public var id: RequestID
    /// Why it is refused.
    public var denial: Denial
    /// The denial for the client (a whole line, newline included).
    public var reply: [UInt8]
    /// A diagnostic for stderr.
    public var log: String

    /// The diagnostic when the call it refuses was answered already (nothing to take back).
    var answeredAlreadyLog: String { "the effects refused request \(id), which was answered already" }
}
