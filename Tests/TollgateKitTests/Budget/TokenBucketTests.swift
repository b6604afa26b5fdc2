import Testing
@testable import TollgateKit

@Suite("Budget: token bucket and rate limiter")
struct BudgetTokenBucketTests {
    @Test("a full bucket allows its burst back to back, then waits exactly one refill step")
    func burstThenRefill() throws {
        var bucket = TokenBucket(rate: try rate("30/min"))
        for _ in 0..<30 { #expect(bucket.take(now: 1000) == .allowed) }
        #expect(bucket.take(now: 1000) == .limited(retryAfterMs: 2000))
        #expect(bucket.take(now: 2999) == .limited(retryAfterMs: 1))
        #expect(bucket.take(now: 3000) == .allowed, "exactly at retryAfterMs")
        #expect(bucket.take(now: 3000) == .limited(retryAfterMs: 2000))
    }

    @Test("an explicit burst caps the bucket; refill never exceeds it")
    func explicitBurst() throws {
        var bucket = TokenBucket(rate: try rate("10/s"), burst: 3)
        #expect(bucket.capacity == 3)
        for _ in 0..<3 { #expect(bucket.take(now: 0) == .allowed) }
        #expect(bucket.take(now: 0) == .limited(retryAfterMs: 100))
        #expect(bucket.tokens(now: 1_000_000_000) == 3, "an hour of quiet refills to the burst, no more, no overflow")
        #expect(bucket.tokens(now: 250) == 2)
    }

    @Test("no drift: 7/s gives exactly 7 tokens per second for an hour of 1 ms polls")
    func noDrift() throws {
        // Burst 2, so the bucket never sits full (a full bucket rightly discards what flows in).
        var bucket = TokenBucket(rate: try rate("7/s"), burst: 2)
        var allowed = 0
        var now: Int64 = 0
        while now < 3_600_000 {
            if bucket.take(now: now) == .allowed { allowed += 1 }
            now += 1
        }
        // The burst of 2, plus ⌊7 × 3 599 999 / 1000⌋ = 25 199 tokens that flowed in.
        #expect(allowed == 2 + 25_199, "one per 142.857… ms, exactly")
    }

    @Test("retryAfterMs is exact for awkward rates")
    func exactRetry() throws {
        var bucket = TokenBucket(rate: try rate("3/min"), burst: 1)
        #expect(bucket.take(now: 5) == .allowed)
        guard case .limited(let wait) = bucket.take(now: 5) else { Issue.record("expected a limit"); return }
        #expect(wait == 20_000)
        #expect(bucket.take(now: 5 + wait - 1) != .allowed)
        #expect(bucket.take(now: 5 + wait) == .allowed)
        var odd = TokenBucket(rate: RateSpec(count: 7, intervalMs: 1000), burst: 1)
        #expect(odd.take(now: 0) == .allowed)
        #expect(odd.take(now: 0) == .limited(retryAfterMs: 143), "⌈1000/7⌉")
        #expect(odd.take(now: 142) != .allowed)
        #expect(odd.take(now: 143) == .allowed)
        #expect(odd.take(now: 143) == .limited(retryAfterMs: 143), "the 1/7 ms credit carries over: ⌈(1000-1)/7⌉")
    }

    @Test("time going backwards adds nothing")
    func backwards() throws {
        var bucket = TokenBucket(rate: try rate("1/s"), burst: 1)
        #expect(bucket.take(now: 10_000) == .allowed)
        #expect(bucket.take(now: 5_000) == .limited(retryAfterMs: 1000))
        #expect(bucket.take(now: 11_000) == .allowed)
    }

    @Test("rate limiter: overall and per-rule buckets; a limited call takes nothing")
    func limiter() throws {
        let limits = BudgetLimits(rate: RateLimit(rate: try rate("5/s")), rules: [
            RuleBudget(rule: "search", rate: RateLimit(rate: try rate("2/s"))),
            RuleBudget(rule: "git_*", per: .tool, rate: RateLimit(rate: try rate("1/s"))),
        ])
        var limiter = RateLimiter(limits: limits)
        let search = BudgetCall(tool: "search", rules: [0])
        #expect(limiter.take(search, now: 0) == .allowed)
        #expect(limiter.take(search, now: 0) == .allowed)
        #expect(limiter.take(search, now: 0) == .limited(retryAfterMs: 500, scope: .rule("search"), rate: try rate("2/s")))
        // Per tool: git_log and git_diff have a bucket each.
        #expect(limiter.take(BudgetCall(tool: "git_log", rules: [1]), now: 0) == .allowed)
        #expect(limiter.take(BudgetCall(tool: "git_diff", rules: [1]), now: 0) == .allowed)
        #expect(limiter.take(BudgetCall(tool: "git_log", rules: [1]), now: 0)
            == .limited(retryAfterMs: 1000, scope: .tool(rule: "git_*", tool: "git_log"), rate: try rate("1/s")))
        // Overall: 4 taken of 5; the 5th passes, then overall limits everything.
        #expect(limiter.take(BudgetCall(tool: "other"), now: 0) == .allowed)
        #expect(limiter.take(BudgetCall(tool: "other"), now: 0) == .limited(retryAfterMs: 200, scope: .overall, rate: try rate("5/s")))
        // check() is pure.
        #expect(limiter.check(search, now: 500) == .allowed)
        #expect(limiter.check(search, now: 500) == .allowed)
    }

    @Test("the rate-limited denial carries retryAfterMs in its _meta entry")
    func denial() throws {
        let denial = Denial.rateLimited(retryAfterMs: 1500, scope: .rule("search"), rate: try rate("2/s"), tool: "search")
        #expect(denial.code == .rateLimited)
        #expect(denial.rule == "tools.search")
        #expect(denial.details["retryAfterMs"] == .number("1500"))
        #expect(denial.text.contains("Wait 2 s"))
        let meta = denial.result(era: .session)["_meta"]?[Denial.metaKey]
        #expect(meta?["retryAfterMs"] == .number("1500"))
    }
}
