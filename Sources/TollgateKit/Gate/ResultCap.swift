/// `maxResultTokens` and the result tokens budgets count: a forwarded call's result is
/// estimated (when some cap or limit needs it) and, over the limit of the rules that allowed the
/// call, withheld. Pure: the tokens are settled by ``CallEffects``.
struct ResultCap: Sendable {
    let limits: BudgetLimits
    /// Whether results must be parsed: some cap counts result tokens or some rule limits them.
    let inspectsResults: Bool

    init(limits: BudgetLimits) {
        self.limits = limits
        inspectsResults = limits.overall.resultTokens != nil
            || limits.rules.contains { $0.caps.resultTokens != nil || $0.maxResultTokens != nil }
    }

    /// What a call's end comes to: the result to send instead (one over `maxResultTokens`, when
    /// `enforce`), the result's estimated tokens (nil: not estimated), and problems to report.
    func check(_ call: ToolCall, rules: [Int], outcome: CallOutcome, result: JSONObject?, enforce: Bool)
        -> (replacement: JSONObject?, tokens: Int64?, problems: [String]) {
        guard let result else {
            if inspectsResults, case .result(_, let bytes) = outcome { return (nil, Int64((bytes + 3) / 4), []) }
            return (nil, nil, [])
        }
        var estimate = TokenEstimator.estimate(result: result).tokens
        guard let limit = limits.maxResultTokens(rules: rules), estimate > limit else { return (nil, estimate, []) }
        let rule = rules.filter { limits.rules[$0].maxResultTokens == limit }.first.map { limits.rules[$0].rule } ?? call.name
        guard enforce else {
            return (nil, estimate, ["monitor: would withhold the result of \(call.name) (about \(estimate) tokens, over tools.\(rule).maxResultTokens = \(limit))"])
        }
        let replacement = Self.withheld(call, tokens: estimate, limit: limit, rule: rule)
        estimate = TokenEstimator.estimate(result: replacement).tokens
        return (replacement, estimate, [])
    }

    /// The result the client gets instead of one larger than `maxResultTokens`.
    static func withheld(_ call: ToolCall, tokens: Int64, limit: Int64, rule: String) -> JSONObject {
        let reason = "the result is about \(tokens) tokens (estimated), more than tools.\(rule).maxResultTokens allows (\(limit))"
        let text = "Tollgate withheld the result of tool \"\(call.name)\" (result_too_large): \(reason). "
            + "The call did run. If you still need its result, call it again asking for less: a narrower query, "
            + "fewer items, a smaller page, range or depth."
        var entry = JSONObject()
        entry["code"] = .string(Denial.Code.resultTooLarge.rawValue)
        entry["tool"] = .string(call.name)
        entry["rule"] = .string("tools.\(rule)")
        entry["reason"] = .string(reason)
        entry["resultTokens"] = .number(String(tokens))
        entry["maxResultTokens"] = .number(String(limit))
        var result = JSONObject()
        result["content"] = [["type": "text", "text": .string(text)]]
        result["isError"] = true
        result["_meta"] = [Denial.metaKey: .object(entry)]
        if call.era == .stateless { result["resultType"] = "complete" }
        return result
    }
}
