extension PolicyGate {
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

    /// Decides a held call by how its approval ended (its records are written by the effects:
    /// an approved call whose records cannot be written is refused there).
    public mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict {
        let how = outcome.approved ? "approved" : "not approved"
        diagnostics.report("approval: \(call.name) \(how) by \(outcome.source.rawValue) (\(outcome.detail))")
        if queuesEffects { effects.append(.approvalEnded(call, hold, outcome, nameIsKnown: reportsTelemetry && nameIsKnown(call.name))) }
        return outcome.denial(tool: call.name, rule: hold.rule).map(GateVerdict.deny) ?? .forward
    }
}
