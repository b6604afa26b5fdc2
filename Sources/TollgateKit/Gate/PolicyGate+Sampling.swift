/// `budgets.samplingTokens` and `budgets.samplingMaxTokensPerRequest`: a server's
/// `sampling/createMessage` is granted in full or refused before the client sees it.
extension PolicyGate {
    public var capsSampling: Bool { budgets?.capsSampling ?? false }

    public mutating func admitSampling(maxTokens: Int64?) -> SamplingVerdict {
        guard budgets != nil else { return .forward(nil) }
        let monitoring = manifest.policy.mode == .monitor
        var reason: String
        if let maxTokens, let admission = budgets?.admitSampling(maxTokens: maxTokens) {
            report(admission.crossings)
            guard let refusal = admission.refusal else { return .forward(admission.grant) }
            reason = refusal
        } else {
            reason = "it gives no usable maxTokens, so its cost cannot be capped"
        }
        reason = "sampling/createMessage refused: \(reason)"
        let denial = Denial(.budgetExhausted, tool: "sampling/createMessage", rule: "budgets", reason: reason)
        do throws(AuditError) {
            try audit?.log.append(AuditRecord.decision(monitoring ? .wouldDeny : .denied, server: audit?.server, tool: "sampling/createMessage",
                                                       arguments: nil, argumentsMode: .redacted, denial: denial))
        } catch {
            diagnostics.report("audit: cannot record the sampling refusal: \(error)")
        }
        if monitoring {
            diagnostics.report("monitor: would refuse \(reason)")
            return .forward(nil)
        }
        var error = JSONRPCError(.invalidRequest, "Tollgate: \(reason)")
        error.code = RelaySession.samplingRefusedCode
        return .refuse(error, log: "refused the server's \(reason); the client was not asked")
    }

    public mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?) -> [String] {
        guard let settled = budgets?.settleSampling(grant, tokens: tokens) else { return [] }
        report(settled.crossings)
        return settled.problem.map { [$0] } ?? []
    }
}
