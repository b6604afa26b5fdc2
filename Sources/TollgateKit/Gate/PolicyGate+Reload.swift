/// A new manifest taking over from the running one (SIGHUP, `--watch`): the rules, schemas,
/// pins, approvals and timeouts are the new manifest's from the next call on; what the gate
/// learned from the server (its tools' input schemas and definitions, the names it listed twice)
/// and what was spent (the budgets with their in-flight reservations, the rate limiters, the
/// audit trail) carry over.
extension PolicyGate {
    /// Makes this gate (built from the new manifest, off the session's lock) take over from the
    /// running one `old`, under the lock: or says why it cannot. The reload record and the new
    /// budgets are queued as an effect (``GateEffect/reloaded(manifestSha256:limits:monitoring:)``). The audit settings, the ledger
    /// and the budgets' window must stay (they take effect on restart); caps, rates, costs and
    /// result limits may change: what was spent stays spent, budget by budget, and calls in
    /// flight settle into the new budgets. Calls already decided are not decided again.
    public mutating func takeOver(from old: PolicyGate) throws(ReloadRefusal) {
        var problems: [String] = []
        if manifest.audit != old.manifest.audit {
            problems.append("the audit settings changed (audit.*): they take effect when Tollgate restarts")
        }
        if manifest.telemetry != old.manifest.telemetry {
            problems.append("the telemetry settings changed (telemetry.*): they take effect when Tollgate restarts")
        }
        let map = Self.budgetRuleMap(from: old.manifest, to: manifest)
        if map == nil, manifest.budgets.ledger != old.manifest.budgets.ledger {
            problems.append("budgets.ledger changed: a new ledger takes effect when Tollgate restarts")
        }
        if manifest.budgets.store != old.manifest.budgets.store || !manifest.budgetLimits.keepsScopes(of: old.manifest.budgetLimits) {
            problems.append("budgets.store or a budget's scope changed: they take effect when Tollgate restarts")
        }
        if map == nil, !old.manifest.budgetLimits.isEmpty || old.manifest.budgets.ledger != nil,
            old.manifest.budgetLimits.window != manifest.budgetLimits.window {
            problems.append("budgets.window changed: spend counted per window cannot move to another, so it takes effect when Tollgate restarts")
        }
        guard problems.isEmpty else { throw ReloadRefusal(problems: problems) }
        learn(from: old)
        toolListing = old.toolListing
        agentIdentified = old.agentIdentified
        syncIntervalMilliseconds = old.syncIntervalMilliseconds
        telemetryIntervalMilliseconds = old.telemetryIntervalMilliseconds
        queuesEffects = old.queuesEffects || !manifest.budgetLimits.isEmpty
        samplesBudgets = old.samplesBudgets || !manifest.budgetLimits.isEmpty
        effects = old.effects
        // Queued between the last decision of the old policy and the first of the new one: the
        // reload record, and the new budgets (what was spent stays spent).
        if let map {
            budgetRuleMap = map.map { index in index.flatMap { old.budgetRuleMap?[$0] ?? $0 } }
            effects.append(.reloaded(manifestSha256: manifest.sha256, limits: nil, monitoring: manifest.policy.mode == .monitor))
        } else {
            budgetRuleMap = nil
            effects.append(.reloaded(manifestSha256: manifest.sha256, limits: manifest.budgetLimits, monitoring: manifest.policy.mode == .monitor))
        }
        for (key, definition) in old.pinCheck.latest {
            _ = keepsPinned(definition, name: key.text)
        }
    }

    public func handOver(to successor: PolicyGate) throws(ReloadRefusal) -> GateHandover {
        var successor = successor
        try successor.takeOver(from: self)
        return GateHandover(gate: successor, toolsWereListed: !listedTools.isEmpty, serversChanged: manifest.servers != successor.manifest.servers)
    }

    /// Takes the place of `running` (the session's gate), taking over its state; throws, leaving
    /// `running` as it was, when it cannot (``Gate/handOver(to:)``).
    public func replace(_ running: inout any Gate) throws(ReloadRefusal) {
        running = try running.handOver(to: self).gate
    }

    /// For each rule of `new`, the index of the rule of `old` with the same budget settings (nil
    /// for a rule with none), or nil when the budget settings differ in any way.
    static func budgetRuleMap(from old: Manifest, to new: Manifest) -> [Int?]? {
        let before = old.budgetLimits, after = new.budgetLimits
        guard before.overall == after.overall, before.rate == after.rate, before.window == after.window,
            before.samplingMaxTokensPerRequest == after.samplingMaxTokensPerRequest, old.budgets.ledger == new.budgets.ledger,
            old.budgets.store == new.budgets.store
        else { return nil }
        var oldIndex: [ProtocolName: Int] = [:]
        for (index, rule) in before.rules.enumerated() where rule.hasBudgetSettings { oldIndex[ProtocolName(rule.rule)] = index }
        var map: [Int?] = []
        var matched = 0
        for rule in after.rules {
            guard rule.hasBudgetSettings else {
                map.append(nil)
                continue
            }
            guard let index = oldIndex[ProtocolName(rule.rule)], before.rules[index] == rule else { return nil }
            map.append(index)
            matched += 1
        }
        return matched == oldIndex.count ? map : nil
    }
}

extension RuleBudget {
    /// Whether the rule takes part in budgets: it caps, limits the rate, costs or limits results.
    var hasBudgetSettings: Bool { hasCaps || rate != nil || cost != .zero || maxResultTokens != nil }
}
