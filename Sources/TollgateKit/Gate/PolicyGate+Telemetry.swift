/// The gate's hooks into telemetry: each builds a plain ``TelemetryEvent`` and hands it over
/// (``Telemetry/record(_:)`` returns at once). Called only when ``PolicyGate/telemetry`` is set.
extension PolicyGate {
    /// A call was decided: `verdict` is what the client gets (a call whose record could not be
    /// written is denied), `approval` how its approval ended when it was held.
    mutating func reportDecision(_ call: ToolCall, _ decision: AuditRecord.Decision, verdict: GateVerdict, denial: Denial?,
                                 approval: ApprovalOutcome?) {
        guard let telemetry else { return }
        let key = ProtocolName(call.name)
        var event = CallDecision(id: call.id, tool: call.name, toolIsKnown: listedTools.contains(key) || telemetry.ruleNames.contains(key),
                                 decision: GateTelemetry.decision(decision))
        var denial = denial
        if case .deny(let refusal) = verdict {
            event.decision = .denied
            denial = refusal
        }
        event.denialCode = denial?.code.rawValue
        event.rule = denial?.rule
        if event.decision != .denied, let left = budgets?.remaining(for: call) {
            event.budgetsLeft = left.members.compactMap { member in
                guard case .number(let amount) = member.value else { return nil }
                return (member.key, amount)
            }
        }
        event.approval = approval.map { "\($0.approved ? "approved" : "not approved") by \($0.source.rawValue)" }
        event.agent = telemetry.agent
        if call.era == .stateless { event.protocolVersion = call.params["_meta"]?[ProtocolEra.versionMetaKey]?.stringValue }
        if let meta = call.params["_meta"] {
            event.traceparent = meta["traceparent"]?.stringValue
            event.tracestate = meta["tracestate"]?.stringValue
        }
        telemetry.sink.record(.decided(event))
    }

    /// Samples the budgets for their gauges, at most once per interval (from ``tick()``).
    mutating func reportBudgets() {
        guard let interval = telemetry?.budgetIntervalMilliseconds, budgets != nil else { return }
        let now = SystemClock.monotonicMilliseconds()
        if let sampled = telemetry?.budgetsSampledAt, now - sampled < interval { return }
        telemetry?.budgetsSampledAt = now
        if let forecast = budgets?.forecast() { telemetry?.sink.record(.budgets(forecast)) }
    }
}
