/// Group commit: the effects of one batch (everything the ``EffectsOwner`` found queued) go to
/// disk together. First every budget of the batch, in decision order, with the ledger's records
/// in one `write`; then every audit record, in decision order, in one `write` (with
/// `fsync: always`, one sync each). A call whose reservation or record did not reach its file is
/// refused; the owner forwards none of the batch before this returns.
extension CallEffects {
    /// What the budget half of an effect found, for its records half.
    private enum BudgetStep {
        case none
        /// A call's budgets: its denial (the policy's, or the budgets'), the crossings its
        /// reservation made, what is left after it (for its record), and whether it reserved.
        case admitted(denial: Denial?, crossings: [BudgetCrossing], remaining: JSONObject?, reserved: Bool)
        /// A settlement's crossings and the problem to report.
        case settled(crossings: [BudgetCrossing], problem: String?)
    }

    /// A call's decision as telemetry learns it once its record is written.
    private struct Decided {
        var offset: Int
        var call: ToolCall
        var decision: AuditRecord.Decision
        var denial: Denial?
        var nameIsKnown: Bool
        var start: Int64?
    }

    /// Whether an effect joins a group commit. An ended approval (its records decide its
    /// reservation), a reload and a ledger sync are carried out on their own, between groups.
    static func joinsGroup(_ effect: GateEffect) -> Bool {
        switch effect {
        case .approvalEnded, .reloaded, .syncLedger: false
        case .admit, .completed, .samplingAnswered, .clientIdentified, .toolChanged, .sampleBudgets, .counted: true
        }
    }

    /// Carries out effects decided together, in order, as group commits (see above); returns
    /// the refusals with the offset of their effect in `batch`.
    public mutating func perform(batch: [GateEffect]) -> [(offset: Int, refusal: EffectRefusal)] {
        var refusals: [(offset: Int, refusal: EffectRefusal)] = []
        var start = 0
        for (offset, effect) in batch.enumerated() where !Self.joinsGroup(effect) {
            performGroup(batch[start..<offset], startingAt: start, into: &refusals)
            if let refusal = performAlone(effect) { refusals.append((offset, refusal)) }
            start = offset + 1
        }
        performGroup(batch[start...], startingAt: start, into: &refusals)
        return refusals
    }

    /// One group commit; `first` is the offset of the group's first effect in the batch.
    private mutating func performGroup(_ group: ArraySlice<GateEffect>, startingAt first: Int,
                                       into refusals: inout [(offset: Int, refusal: EffectRefusal)]) {
        guard !group.isEmpty else { return }
        // The budgets, in decision order; the ledger's records in one write.
        var steps: [BudgetStep] = []
        steps.reserveCapacity(group.count)
        budgets?.beginGroup()
        for effect in group { steps.append(budgetStep(effect)) }
        if let failure = budgets?.commitGroup() {
            diagnostics.report("budget: cannot write the ledger: \(failure)")
            for (index, effect) in zip(steps.indices, group) {
                guard case .admit(let admission) = effect, case .admitted(let denial, _, _, true) = steps[index] else { continue }
                budgets?.forget(admission.call)
                steps[index] = .admitted(denial: denial ?? Denial.budgetUnavailable(failure, tool: admission.call.name), crossings: [],
                                         remaining: nil, reserved: false)
            }
        }
        // The records, in decision order, in one write.
        audit?.beginGroup()
        var recorded: [(offset: Int, call: ToolCall)] = []
        var decided: [Decided] = []
        let groupStart = refusals.count
        for (offset, (effect, step)) in zip(first..., zip(group, steps)) {
            switch (effect, step) {
            case (.admit(let admission), .admitted(let denial, let crossings, let remaining, _)):
                let call = admission.call
                // What the budgets refused, the call gets: its decision is recorded as denied.
                if denial != nil && admission.denial == nil && !admission.monitoring { refusals.append((offset, refusal(of: call, denial!))) }
                if admission.held && denial == nil {
                    if !crossings.isEmpty { heldCrossings[call.id] = crossings }
                    if let telemetry { telemetry.sink.record(.held(CallHold(id: call.id, time: admission.decidedAt ?? SystemClock.monotonicNanoseconds()))) }
                    continue
                }
                let decision: AuditRecord.Decision = denial == nil ? .allowed : admission.monitoring ? .wouldDeny : .denied
                _ = record(call, decision, denial: denial, budgets: remaining)
                if decision != .denied { recorded.append((offset, call)) }
                report(crossings)
                if telemetry != nil {
                    decided.append(Decided(offset: offset, call: call, decision: decision, denial: denial, nameIsKnown: admission.nameIsKnown,
                                           start: admission.decidedAt))
                }
            case (.completed(let call, let outcome, let tokens, let withheld, let endedAt), .settled(let crossings, let problem)):
                report(crossings)
                if let problem { diagnostics.report(problem) }
                audit?.recordOutcome(call, outcome, tokens: tokens, withheld: withheld)
                if telemetry != nil { reportEnd(call, outcome, withheld: withheld, at: endedAt) }
            case (.completed(let call, let outcome, let tokens, let withheld, let endedAt), _):
                audit?.recordOutcome(call, outcome, tokens: tokens, withheld: withheld)
                if telemetry != nil { reportEnd(call, outcome, withheld: withheld, at: endedAt) }
            case (.samplingAnswered, .settled(let crossings, let problem)):
                report(crossings)
                if let problem { diagnostics.report(problem) }
            case (.clientIdentified(let name), _):
                if audit != nil, audit?.agent == nil { audit?.agent = name }
                if telemetry != nil, telemetry?.agent == nil { telemetry?.agent = AuditTrail.bounded(name) }
            case (.toolChanged(let change), _):
                let server = audit?.server
                do throws(AuditError) {
                    try audit?.record(AuditRecord.toolChanged(change, server: server))
                } catch {
                    diagnostics.report("audit: cannot record the change of tool \(change.tool): \(error)")
                }
            case (.sampleBudgets, _):
                sampleBudgets()
            case (.counted(let event), _):
                telemetry?.sink.record(.counted(event))
            default:
                break
            }
        }
        do throws(AuditError) {
            try audit?.commitGroup()
        } catch {
            // None of the group's records is in the file: no call of it may run.
            diagnostics.report("audit: cannot write \(group.count) effects' records: \(error)")
            for (offset, call) in recorded {
                release(call)
                refusals.append((offset, refusal(of: call, unrecorded(call, error))))
            }
        }
        for call in decided {
            let refused = refusals[groupStart...].first { $0.offset == call.offset }?.refusal
            reportDecision(call.call, refused == nil ? call.decision : .denied, denial: refused?.denial ?? call.denial,
                           nameIsKnown: call.nameIsKnown, start: call.start)
        }
    }

    /// The budget half of an effect (rate limits, reservations and settlements, whose ledger
    /// records go out with the group's).
    private mutating func budgetStep(_ effect: GateEffect) -> BudgetStep {
        switch effect {
        case .admit(let admission):
            let call = admission.call
            var denial = admission.denial
            var crossings: [BudgetCrossing] = []
            var reserved = false
            if budgets != nil, denial == nil || admission.monitoring {
                if let checked = budgets?.admit(call, rules: admission.rules) {
                    crossings = checked.crossings
                    reserved = checked.denial == nil
                    if denial == nil, let refused = checked.denial {
                        denial = refused
                        if admission.monitoring { diagnostics.report("monitor: would deny \(call.name) (\(refused.code.rawValue), \(refused.rule ?? "-")): \(refused.reason)") }
                    }
                }
            }
            let recordsBudgets = audit != nil && (denial == nil ? !admission.held : admission.monitoring)
            return .admitted(denial: denial, crossings: crossings, remaining: recordsBudgets ? budgets?.remaining(for: call) : nil, reserved: reserved)
        case .completed(let call, _, let tokens, _, _):
            guard let settled = budgets?.settle(call, resultTokens: tokens) else { return .none }
            return .settled(crossings: settled.crossings, problem: settled.problem)
        case .samplingAnswered(let grant, let tokens):
            guard let settled = budgets?.settleSampling(grant, tokens: tokens) else { return .none }
            return .settled(crossings: settled.crossings, problem: settled.problem)
        default:
            return .none
        }
    }
}
