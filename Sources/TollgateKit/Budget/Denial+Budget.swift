extension Denial {
    /// The denial of a call refused by a budget: code `budget_exhausted`, with `budget`, `used`,
    /// `cap` and (with a window) `resetsAt` (ISO 8601) and `resetsAtMs` in the `_meta` entry.
    public static func budgetExhausted(_ refusal: BudgetExhausted, tool: String) -> Denial {
        var details = JSONObject()
        details["budget"] = .string(refusal.budget)
        details["used"] = refusal.counter.json(refusal.used)
        details["cap"] = refusal.counter.json(refusal.cap)
        var advice = "Do not retry this call in this session"
        if let resetsAt = refusal.resetsAt {
            details["resetsAt"] = .string(UTCTime.iso8601(milliseconds: resetsAt))
            details["resetsAtMs"] = .number(String(resetsAt))
            advice = "Do not retry before \(UTCTime.iso8601(milliseconds: resetsAt))"
        }
        advice += refusal.scope == .overall ? "; finish with what you have." : "; use another tool or finish with what you have."
        return Denial(.budgetExhausted, tool: tool, rule: refusal.scope.ruleName, reason: refusal.message,
                      advice: advice, details: details)
    }

    /// The denial of a call refused by a rate limit: code `rate_limited`, with `retryAfterMs`,
    /// `rate` and `limit` (`budgets.rate`, `tools.X.rate`, `tools.X.rate[tool]`) in the `_meta` entry.
    public static func rateLimited(retryAfterMs: Int64, scope: BudgetScope, rate: RateSpec, tool: String) -> Denial {
        var details = JSONObject()
        details["retryAfterMs"] = .number(String(retryAfterMs))
        details["rate"] = .string(rate.description)
        let seconds = retryAfterMs < 1000 ? "\(retryAfterMs) ms" : "\((retryAfterMs + 999) / 1000) s"
        let name = switch scope {
        case .overall: "budgets.rate"
        case .rule(let rule): "tools.\(rule).rate"
        case .tool(let rule, let tool): "tools.\(rule).rate[\(tool)]"
        }
        details["limit"] = .string(name)
        return Denial(.rateLimited, tool: tool, rule: scope.ruleName,
                      reason: "the rate limit \(name) (\(rate)) is reached",
                      advice: "Wait \(seconds) before calling it again.", details: details)
    }

    /// The denial of a call whose budgets cannot be counted (a ledger that cannot be used, a
    /// store that cannot be reached): code `budget_unavailable`, with `retryAfterMs` in the
    /// `_meta` entry when it is known when to try again.
    public static func budgetUnavailable(_ error: LedgerError, tool: String) -> Denial {
        var details = JSONObject()
        var advice = "Tell the user; retrying will not help until the ledger is usable."
        if let wait = error.retryAfterMs {
            details["retryAfterMs"] = .number(String(wait))
            advice = "Wait at least \(wait) ms before calling it again; if it keeps failing, tell the user."
        }
        return Denial(.budgetUnavailable, tool: tool, rule: error.setting,
                      reason: "the budgets cannot be counted (\(error)), so no call may run", advice: advice, details: details)
    }
}
