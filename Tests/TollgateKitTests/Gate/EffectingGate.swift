@testable import TollgateKit

/// A ``PolicyGate`` whose effects are carried out at once, on its own ``CallEffects``, as the
/// relay's ``EffectsOwner`` carries them out in decision order: what an effect refuses turns
/// the verdict into that denial. Gate and session tests see budgets and records through it
/// without a relay; the refusal path of the sessions is tested on its own.
@dynamicMemberLookup
struct EffectingGate: Gate {
    var policy: PolicyGate
    var effects: CallEffects

    init(_ policy: PolicyGate, effects: CallEffects) {
        self.policy = policy
        self.effects = effects
    }

    /// The gate of `manifest` with its effects on `audit` and the budgets kept in `account` (by
    /// default in memory).
    init(manifest: Manifest, diagnostics: Diagnostics = .silent, workingDirectory: String? = "/tmp", audit: AuditTrail? = nil,
         account: (any BudgetAccount)? = nil, clock: GateClock = .system) {
        let effects = CallEffects(audit: audit, limits: manifest.budgetLimits, account: account,
                                  monitoring: manifest.policy.mode == .monitor, clock: clock, diagnostics: diagnostics)
        self.init(PolicyGate(manifest: manifest, diagnostics: diagnostics, workingDirectory: workingDirectory, effects: effects), effects: effects)
    }

    subscript<T>(dynamicMember keyPath: KeyPath<PolicyGate, T>) -> T { policy[keyPath: keyPath] }

    /// Carries out what the policy queued; returns the refusal of the call `id`, if any.
    private mutating func perform(refusing id: RequestID? = nil) -> Denial? {
        var refused: Denial?
        for effect in policy.takeEffects() {
            if let refusal = effects.perform(effect), refusal.id == id { refused = refusal.denial }
        }
        return refused
    }

    mutating func decide(_ call: ToolCall) -> GateVerdict {
        let verdict = policy.decide(call)
        return perform(refusing: call.id).map(GateVerdict.deny) ?? verdict
    }

    mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict {
        let verdict = policy.approvalDecided(call, hold: hold, outcome: outcome)
        return perform(refusing: call.id).map(GateVerdict.deny) ?? verdict
    }

    var needs: GateNeeds { policy.needs }
    var tickIntervalMilliseconds: Int64? { policy.tickIntervalMilliseconds }

    mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter {
        defer { _ = perform() }
        return policy.filterToolList(result, cursor: cursor)
    }

    mutating func toolsListedTwice(_ names: [String]) { policy.toolsListedTwice(names) }

    mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? {
        defer { _ = perform() }
        return policy.callCompleted(call, outcome: outcome, result: result)
    }

    mutating func timeout(for call: ToolCall) -> CallTimeout? { policy.timeout(for: call) }

    mutating func tick() -> [String] {
        defer { _ = perform() }
        return policy.tick()
    }

    mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?) {
        policy.samplingAnswered(grant, tokens: tokens)
        _ = perform()
    }

    mutating func clientIdentified(_ clientInfo: JSONValue?) {
        policy.clientIdentified(clientInfo)
        _ = perform()
    }

    mutating func note(_ event: TelemetryCounter) {
        policy.note(event)
        _ = perform()
    }

    /// Admits a server's sampling request as the relay does before deciding its line.
    mutating func admitSampling(maxTokens: Int64?) -> SamplingVerdict {
        _ = perform()
        return effects.admitSampling(maxTokens: maxTokens)
    }

    /// This gate with `new` (a reloaded manifest's policy) taking over, the reload's effects
    /// carried out.
    func reloaded(to new: PolicyGate) throws(ReloadRefusal) -> EffectingGate {
        var new = new
        try new.takeOver(from: policy)
        var reloaded = EffectingGate(new, effects: effects)
        _ = reloaded.perform()
        return reloaded
    }

    /// What the policy would say about a call by name and arguments alone.
    mutating func denial(for call: ToolCall) -> Denial? { policy.denial(for: call) }
}
