/// Telemetry's events, handed off where the effects carry decisions out: each builds a plain
/// ``TelemetryEvent`` and hands it over (``Telemetry/record(_:)`` only appends to a bounded
/// queue and returns). Called only when ``CallEffects/telemetry`` is set.
extension CallEffects {
    /// A call was decided for good: `decision` is what the client gets (a call its effects
    /// refused is denied, `denial` then the refusal), `approval` how its approval ended when it
    /// was held; `start` when the gate took it up (nil: its hold started its span).
    mutating func reportDecision(_ call: ToolCall, _ decision: AuditRecord.Decision, denial: Denial?, nameIsKnown: Bool,
                                 approval: ApprovalOutcome? = nil, start: Int64? = nil) {
        guard let telemetry else { return }
        var event = CallDecision(id: call.id, tool: call.name, toolIsKnown: nameIsKnown, decision: GateTelemetry.decision(decision))
        event.start = start
        event.denialCode = denial?.code.rawValue
        event.rule = denial?.rule
        if decision != .denied, let left = budgets?.remaining(for: call) {
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

    /// A forwarded call ended at `time` (monotonic nanoseconds; nil: now); a result the client
    /// did not get (`withheld`: it got `result_too_large`) ends its span as an error.
    func reportEnd(_ call: ToolCall, _ outcome: CallOutcome, withheld: Bool, at time: Int64?) {
        var ended = outcome
        if withheld, case .result(_, let bytes) = outcome { ended = .result(isError: true, bytes: bytes) }
        telemetry?.sink.record(.ended(CallEnd(id: call.id, outcome: ended, time: time ?? SystemClock.monotonicNanoseconds())))
    }

    /// Samples the budgets for their gauges, at most once per interval (the gate's ticks may
    /// come more often, for a ledger's sync).
    mutating func sampleBudgets() {
        guard let interval = telemetry?.budgetIntervalMilliseconds, budgets != nil else { return }
        let now = clock.monotonicMilliseconds()
        if let sampled = telemetry?.budgetsSampledAt, now - sampled < interval { return }
        telemetry?.budgetsSampledAt = now
        if let forecast = budgets?.forecast() { telemetry?.sink.record(.budgets(forecast)) }
    }
}
