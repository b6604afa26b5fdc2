/// The I/O half of a gate: the budget account (in memory, a ledger shared by processes), the
/// audit trail and telemetry, and the effects that use them (``GateEffect``). Owned by one ``EffectsOwner``,
/// which carries effects out in decision order; never touched under a session's lock.
///
/// Whatever an effect finds decides it for good: a budget another process spent meanwhile, a
/// ledger that cannot be used or a record that cannot be written refuse the call
/// (``EffectRefusal``) before its decision record is written, so the record never says
/// `allowed` for a call that did not run; telemetry learns each call's verdict as it stands
/// after its reservation and record (see `CallEffects+Telemetry.swift`).
public struct CallEffects: Sendable {
    /// Where decisions are recorded, when the manifest asks for an audit trail.
    public internal(set) var audit: AuditTrail?
    /// Rate limits and budgets, when the manifest sets any (or names a ledger).
    var budgets: BudgetGuard?
    /// Where decisions, outcomes and budgets are reported for OpenTelemetry, when it is on.
    public internal(set) var telemetry: GateTelemetry?
    let diagnostics: Diagnostics
    let clock: GateClock
    /// Whether the manifest only monitors (a sampling refusal is then recorded, not made).
    var monitoring: Bool
    /// The budget thresholds held calls' reservations crossed: reported only if a call is
    /// approved (a denied call's reservation is released and never counted).
    var heldCrossings: [RequestID: [BudgetCrossing]] = [:]

    /// Effects on `audit` and on the budgets of `limits`, kept in `account` (by default in
    /// memory), reported to `telemetry`.
    public init(audit: AuditTrail? = nil, limits: BudgetLimits = BudgetLimits(), account: (any BudgetAccount)? = nil,
                monitoring: Bool = false, telemetry: GateTelemetry? = nil, clock: GateClock = .system, diagnostics: Diagnostics = .standardError) {
        self.monitoring = monitoring
        self.audit = audit
        self.telemetry = telemetry
        self.diagnostics = diagnostics
        self.clock = clock
        if account != nil || !limits.isEmpty {
            budgets = BudgetGuard(limits: limits, account: account ?? BudgetState(limits: limits), clock: clock)
        }
    }

    /// Whether there is anything to carry out: without an audit trail, budgets and telemetry,
    /// decisions stand as the gate took them.
    public var isEmpty: Bool { audit == nil && budgets == nil && telemetry == nil }

    /// Carries out one effect; returns the refusal it leads to, if any.
    public mutating func perform(_ effect: GateEffect) -> EffectRefusal? {
        perform(batch: [effect]).first?.refusal
    }

    /// Carries out an effect that is not part of a group commit (see ``joinsGroup(_:)``); returns
    /// the refusal it leads to, if any.
    mutating func performAlone(_ effect: GateEffect) -> EffectRefusal? {
        switch effect {
        case .approvalEnded(let call, let hold, let outcome, let nameIsKnown):
            return approvalEnded(call, hold: hold, outcome: outcome, nameIsKnown: nameIsKnown)
        case .syncLedger:
            if let problem = budgets?.syncPending() { diagnostics.report(problem) }
        case .reloaded(let sha256, let limits, let monitoring):
            self.monitoring = monitoring
            reloaded(manifestSha256: sha256, limits: limits)
            telemetry?.sink.record(.counted(.reload))
        case .admit, .completed, .samplingAnswered, .clientIdentified, .toolChanged, .sampleBudgets, .counted:
            return perform(batch: [effect]).first?.refusal
        }
        return nil
    }

    // MARK: - Calls

    private mutating func approvalEnded(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome, nameIsKnown: Bool) -> EffectRefusal? {
        let refused = approvalEnded(call, hold: hold, outcome: outcome)
        if telemetry != nil {
            let denial = refused?.denial ?? outcome.denial(tool: call.name, rule: hold.rule)
            reportDecision(call, denial == nil ? .allowed : .denied, denial: denial, nameIsKnown: nameIsKnown, approval: outcome)
        }
        return refused
    }

    private mutating func approvalEnded(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> EffectRefusal? {
        let crossings = heldCrossings.removeValue(forKey: call.id) ?? []
        var recorded = true
        let server = audit?.server
        do throws(AuditError) {
            try audit?.record(AuditRecord.approval(outcome, call: call, rule: hold.rule, server: server))
        } catch {
            diagnostics.report("audit: cannot record the approval of \(call.name): \(error)")
            recorded = false
        }
        guard let denial = outcome.denial(tool: call.name, rule: hold.rule) else {
            let failure = recorded ? record(call, .allowed, denial: nil, budgets: budgets?.remaining(for: call)) : Denial(.auditUnavailable, tool: call.name, rule: "audit",
                reason: "the approval could not be recorded in the audit trail, so the call may not run",
                advice: "Tell the user; retrying will not help until the audit log is writable.")
            report(crossings)
            guard let failure else { return nil }
            release(call)
            return refusal(of: call, failure)
        }
        release(call)
        _ = record(call, .denied, denial: denial, budgets: nil)
        return nil
    }

    /// Records a decision, with the budgets left after its reservation (nil for a denied call);
    /// returns the `audit_unavailable` denial when it cannot be written (in a group, only the
    /// commit can fail).
    mutating func record(_ call: ToolCall, _ decision: AuditRecord.Decision, denial: Denial?, budgets remaining: JSONObject?) -> Denial? {
        guard audit != nil else { return nil }
        do throws(AuditError) {
            try audit?.recordDecision(call, decision, denial: denial, budgets: decision == .denied ? nil : remaining)
            return nil
        } catch {
            return unrecorded(call, error)
        }
    }

    /// The `audit_unavailable` denial of a call whose decision could not be written (reported).
    func unrecorded(_ call: ToolCall, _ error: AuditError) -> Denial {
        diagnostics.report("audit: cannot record the decision on \(call.name): \(error)")
        return Denial(.auditUnavailable, tool: call.name, rule: "audit",
                      reason: "the audit trail cannot be written (\(error)), so no call may run",
                      advice: "Tell the user; retrying will not help until the audit log is writable.")
    }

    /// Takes back the reservation of a call that will not run.
    mutating func release(_ call: ToolCall) {
        if let problem = budgets?.release(call) { diagnostics.report("budget: cannot release the reservation of \(call.name): \(problem)") }
    }

    func refusal(of call: ToolCall, _ denial: Denial) -> EffectRefusal {
        EffectRefusal(id: call.id, denial: denial, reply: Reply.result(id: call.id.bytes, denial.result(era: call.era)),
                      log: denial.logLine(tool: call.name))
    }

    // MARK: - Sampling

    /// Decides a server's `sampling/createMessage` asking for `maxTokens` (nil: it gave none):
    /// granted in full from the sampling budget, or refused (recorded; the client must not see
    /// it). While monitoring, a refusal is only recorded and reported.
    public mutating func admitSampling(maxTokens: Int64?) -> SamplingVerdict {
        guard budgets != nil else { return .forward(nil) }
        var reason: String
        if let maxTokens, let admission = budgets?.admitSampling(maxTokens: maxTokens) {
            report(admission.crossings)
            guard let refusal = admission.refusal else { return .forward(admission.grant) }
            reason = refusal
        } else {
            reason = "it gives no usable maxTokens, so its cost cannot be capped"
        }
        reason = "sampling/createMessage refused: \(reason)"
        recordSamplingRefusal(Denial(.budgetExhausted, tool: "sampling/createMessage", rule: "budgets", reason: reason), monitoring: monitoring)
        if monitoring {
            diagnostics.report("monitor: would refuse \(reason)")
            return .forward(nil)
        }
        return .refuse(Self.samplingRefusal(reason), log: "refused the server's \(reason); the client was not asked")
    }

    private mutating func recordSamplingRefusal(_ denial: Denial, monitoring: Bool) {
        let server = audit?.server
        do throws(AuditError) {
            try audit?.record(AuditRecord.decision(monitoring ? .wouldDeny : .denied, server: server, tool: "sampling/createMessage",
                                                       arguments: nil, argumentsMode: .redacted, denial: denial))
        } catch {
            diagnostics.report("audit: cannot record the sampling refusal: \(error)")
        }
    }

    /// The error a refused sampling request is answered with (the code MCP gives a user's rejection).
    static func samplingRefusal(_ reason: String) -> JSONRPCError {
        var error = JSONRPCError(.invalidRequest, "Tollgate: \(reason)")
        error.code = SamplingRequest.refusedCode
        return error
    }

    // MARK: - Reload

    private mutating func reloaded(manifestSha256: String?, limits: BudgetLimits?) {
        do throws(AuditError) {
            try audit?.record(AuditRecord.reload(manifestSha256: manifestSha256))
        } catch {
            diagnostics.report("audit: cannot record the reload: \(error)")
        }
        guard let limits else { return }
        if budgets == nil {
            if !limits.isEmpty { budgets = BudgetGuard(limits: limits, account: BudgetState(limits: limits), clock: clock) }
        } else if budgets?.reconfigure(to: limits) == false {
            diagnostics.report("reload: the budgets keep their settings (the window cannot change while Tollgate runs)")
        }
    }

    // MARK: - Reports

    /// Reports budget threshold crossings: one stderr line each and, with an audit trail, a `budget` record.
    mutating func report(_ crossings: [BudgetCrossing]) {
        for crossing in crossings {
            diagnostics.report(crossing.message)
            do throws(AuditError) {
                try audit?.recordBudget(crossing)
            } catch {
                diagnostics.report("audit: cannot record \(crossing.budget) reaching \(crossing.percent)%: \(error)")
            }
        }
    }
}
