extension PolicyGate {
    public var holdsCalls: Bool { hasApprovalRules }

    /// The approval the rules ask of a tool's calls, if any (the first allowing rule that sets one).
    public mutating func approval(for name: String) -> ApprovalRule? {
        approvalHold(forTool: name)?.approval
    }

    /// The hold for a call whose rules ask for approval.
    mutating func approvalHold(for call: ToolCall) -> ApprovalHold? {
        approvalHold(forTool: call.name)
    }

    private mutating func approvalHold(forTool name: String) -> ApprovalHold? {
        guard hasApprovalRules, case .allow(let rules) = nameDecision(for: name) else { return nil }
        for index in rules {
            if let approval = manifest.tools[index].approval {
                return ApprovalHold(approval: approval, rule: manifest.tools[index].name,
                                    timeoutMilliseconds: Int64(manifest.policy.approvalTimeoutSeconds) * 1000)
            }
        }
        return nil
    }

    /// Records how a held call's approval ended (an `approval` record, then the `decision`
    /// record) and decides the call. An approval that cannot be recorded does not run the call.
    public mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict {
        let how = outcome.approved ? "approved" : "not approved"
        diagnostics.report("approval: \(call.name) \(how) by \(outcome.source.rawValue) (\(outcome.detail))")
        var recorded = true
        do throws(AuditError) {
            try audit?.log.append(AuditRecord.approval(outcome, call: call, rule: hold.rule, server: audit?.server))
        } catch {
            diagnostics.report("audit: cannot record the approval of \(call.name): \(error)")
            recorded = false
        }
        guard let denial = outcome.denial(tool: call.name, rule: hold.rule) else {
            if !recorded {
                if let problem = budgets?.release(call) { diagnostics.report("budget: cannot release the reservation of \(call.name): \(problem)") }
                return .deny(Denial(.auditUnavailable, tool: call.name, rule: "audit",
                                    reason: "the approval could not be recorded in the audit trail, so the call may not run",
                                    advice: "Tell the user; retrying will not help until the audit log is writable."))
            }
            return record(call, .allowed, verdict: .forward, denial: nil, crossings: hold.crossings, approval: outcome)
        }
        if let problem = budgets?.release(call) { diagnostics.report("budget: cannot release the reservation of \(call.name): \(problem)") }
        return record(call, .denied, verdict: .deny(denial), denial: denial, approval: outcome)
    }
}
