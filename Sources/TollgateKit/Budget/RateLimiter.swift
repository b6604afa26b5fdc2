/// The rate limits of one process (`budgets.rate` and each rule's `rate`), as a pure value:
/// one ``TokenBucket`` overall, one per rule, or one per tool for `"per": "tool"` rules.
/// Time is monotonic milliseconds passed in by the caller.
///
/// A call must find a token in every bucket it reaches; it takes one from each only if all have
/// one, so a limited call spends nothing. Rate limits are per process: they are not written to
/// a ledger (a rate bounds how fast this agent loops, caps bound what all agents spend).
///
/// Suggested order in a gate: ``check(_:now:)``, then the budget reservation, then
/// ``take(_:now:)`` (which cannot fail at the same `now`), so a call refused by a budget does
/// not use up a rate token.
public struct RateLimiter: Sendable {
    /// What a call gets.
    public enum Decision: Sendable, Hashable {
        /// Every bucket had a token.
        case allowed
        /// The bucket that frees up last: the call may pass in `retryAfterMs`.
        case limited(retryAfterMs: Int64, scope: BudgetScope, rate: RateSpec)
    }

    private struct ToolBucketKey: Hashable, Sendable {
        let rule: Int
        let tool: ProtocolName?
    }

    /// The settings.
    public let limits: BudgetLimits
    private var overall: TokenBucket?
    private var rules: [TokenBucket?]
    private var tools: [ToolBucketKey: TokenBucket] = [:]

    /// Creates full buckets for `limits`.
    public init(limits: BudgetLimits) {
        self.limits = limits
        overall = limits.rate?.makeBucket()
        rules = limits.rules.map { $0.per == .rule ? $0.rate?.makeBucket() : nil }
    }

    /// Whether no rate limit is set.
    public var isEmpty: Bool { limits.rate == nil && limits.rules.allSatisfy { $0.rate == nil } }

    /// Whether the call would pass at `now`, without taking tokens.
    public func check(_ call: BudgetCall, now: Int64) -> Decision {
        var worst = Decision.allowed
        var worstWait: Int64 = 0
        func consider(_ bucket: TokenBucket, _ scope: @autoclosure () -> BudgetScope) {
            if case .limited(let wait) = bucket.check(now: now), wait > worstWait {
                worstWait = wait
                worst = .limited(retryAfterMs: wait, scope: scope(), rate: bucket.rate)
            }
        }
        if let overall { consider(overall, .overall) }
        for index in call.rules {
            let rule = limits.rules[index]
            guard let rate = rule.rate else { continue }
            if rule.per == .rule {
                if let bucket = rules[index] { consider(bucket, .rule(rule.rule)) }
            } else if let bucket = tools[key(rule: index, tool: call.tool)] {
                consider(bucket, .tool(rule: rule.rule, tool: call.tool))
            } else {
                consider(rate.makeBucket(), .tool(rule: rule.rule, tool: call.tool))
            }
        }
        return worst
    }

    /// Takes a token from every bucket the call reaches if each has one; otherwise takes none.
    public mutating func take(_ call: BudgetCall, now: Int64) -> Decision {
        let decision = check(call, now: now)
        guard decision == .allowed else { return decision }
        _ = overall?.take(now: now)
        for index in call.rules {
            let rule = limits.rules[index]
            guard let rate = rule.rate else { continue }
            if rule.per == .rule {
                _ = rules[index]?.take(now: now)
            } else {
                let key = key(rule: index, tool: call.tool)
                _ = tools[key, default: rate.makeBucket()].take(now: now)
            }
        }
        return decision
    }

    /// The per-tool bucket key; past ``BudgetState/maxToolScopes`` tools, a rule's further tools
    /// share one bucket, as do names over ``BudgetState/maxToolNameBytes``.
    private func key(rule: Int, tool: String) -> ToolBucketKey {
        guard tool.utf8.count <= BudgetState.maxToolNameBytes else { return ToolBucketKey(rule: rule, tool: nil) }
        let key = ToolBucketKey(rule: rule, tool: ProtocolName(tool))
        if tools.count < BudgetState.maxToolScopes || tools[key] != nil { return key }
        return ToolBucketKey(rule: rule, tool: nil)
    }
}

extension RateLimiter {
    /// The limiter of `limits`, keeping the buckets (the tokens they hold now) of every limit
    /// that stays the same: the overall rate, and each rule's, matched by rule name.
    public func carried(to limits: BudgetLimits) -> RateLimiter {
        var limiter = RateLimiter(limits: limits)
        if limits.rate == self.limits.rate { limiter.overall = overall }
        var old: [ProtocolName: Int] = [:]
        for (index, rule) in self.limits.rules.enumerated() { old[ProtocolName(rule.rule)] = index }
        for (index, rule) in limits.rules.enumerated() {
            guard let previous = old[ProtocolName(rule.rule)], self.limits.rules[previous].rate == rule.rate, self.limits.rules[previous].per == rule.per else { continue }
            limiter.rules[index] = rules[previous]
            for (key, bucket) in tools where key.rule == previous { limiter.tools[ToolBucketKey(rule: index, tool: key.tool)] = bucket }
        }
        return limiter
    }
}

