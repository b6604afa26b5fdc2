/// The manifest's timeouts and the ledger's batched sync, through the relay's timers.
extension PolicyGate {
    /// The timeout of a call: the shortest `timeoutSeconds` among the rules that allow it, or
    /// `policy.defaultTimeoutSeconds` when none sets one.
    public mutating func timeout(for call: ToolCall) -> CallTimeout? {
        guard hasTimeouts else { return nil }
        if case .allow(let indices) = nameDecision(for: call.name) {
            var shortest: CallTimeout?
            for index in indices {
                let rule = manifest.tools[index]
                if let milliseconds = rule.timeoutMilliseconds, milliseconds < shortest?.milliseconds ?? .max {
                    shortest = CallTimeout(milliseconds: milliseconds, rule: "\(rule.name).timeoutSeconds")
                }
            }
            if let shortest { return shortest }
        }
        return manifest.policy.defaultTimeoutMilliseconds.map { CallTimeout(milliseconds: $0, rule: "policy.defaultTimeoutSeconds") }
    }

    /// A ledger with batched fsync wants a tick one interval after each write, so its last
    /// records reach the disk even when no further call comes; telemetry samples the budgets.
    public var tickIntervalMilliseconds: Int64? {
        guard samplesBudgets, let sampling = telemetryIntervalMilliseconds else { return syncIntervalMilliseconds }
        return min(syncIntervalMilliseconds ?? sampling, sampling)
    }

    public mutating func tick() -> [String] {
        if syncIntervalMilliseconds != nil { effects.append(.syncLedger) }
        if samplesBudgets && reportsTelemetry { effects.append(.sampleBudgets) }
        return []
    }
}
