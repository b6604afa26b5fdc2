import Foundation
import Synchronization
import Testing
@testable import TollgateKit

/// The store account in this process against a real `redis-server`: caps, costs, rates, windows,
/// settlements, sampling and scopes counted by the script at the server's time; what the store
/// then holds is read back with `redis-cli`.
@Suite("Store account on a real Redis", .timeLimit(.minutes(2)))
struct StoreAccountTests {
    /// The notices an account reported.
    final class Notices: Sendable {
        private let list = Mutex<[StoreNotice]>([])
        func append(_ notice: StoreNotice) { list.withLock { $0.append(notice) } }
        var states: [StoreNotice.State] { list.withLock { $0.map(\.state) } }
        var last: StoreNotice? { list.withLock { $0.last } }
    }

    private func account(_ redis: RedisServer, _ limits: BudgetLimits, onFailure: StoreSettings.OnFailure = .deny,
                         notices: Notices? = nil) throws -> StoreAccount {
        // A 2 s operation timeout: a loaded test machine must not turn a slow answer into an outage.
        let settings = StoreSettings(endpoint: try StoreEndpoint(parsing: redis.unixURL()), namespace: "test", onFailure: onFailure, operationTimeoutMs: 2000)
        return StoreAccount(settings: settings, password: nil, limits: limits, diagnostics: .silent) { notice in
            notices?.append(notice)
        }
    }

    private let echo = BudgetCall(tool: "echo", rules: [0])

    @Test("a cap of 5 calls: 5 reserved, the rest refused with used and cap; the store's total is 5")
    func callCap() async throws {
        let redis = try await RedisServer("account-cap")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 5), rules: [RuleBudget(rule: "echo")])
        let first = try account(redis, limits), second = try account(redis, limits)
        var reserved = 0
        for index in 0..<8 {
            let decision = try (index % 2 == 0 ? first : second).reserve(echo, now: 0)
            if decision.reservation != nil { reserved += 1 }
            if index == 7, case .exhausted(let refusal, _) = decision {
                #expect(refusal.budget == "budgets.calls" && refusal.used == 5 && refusal.cap == 5 && refusal.resetsAt == nil)
            }
        }
        #expect(reserved == 5)
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "c"]) == "5")
        let ttl = try await redis.integer(["PTTL", "{test}:b:global:o"]) ?? -1
        #expect(ttl > 30 * 86_400_000, "without a window a budget lives 31 days after its last use: \(ttl)")
    }

    @Test("a decimal cost cap: 0.1 per call against 0.3 lets exactly 3 calls run, kept in millionths")
    func decimalCost() async throws {
        let redis = try await RedisServer("account-cost")
        let limits = BudgetLimits(overall: BudgetCaps(cost: try CostUnits(parsing: "0.3")), rules: [RuleBudget(rule: "echo", cost: try CostUnits(parsing: "0.1"))])
        let store = try account(redis, limits)
        let decisions = try store.reserve(batch: Array(repeating: echo, count: 5), now: 0)
        #expect(decisions.filter { $0.reservation != nil }.count == 3)
        guard case .exhausted(let refusal, _) = decisions[3] else { Issue.record("4th reserved"); return }
        #expect(refusal.message.contains("0.3 of 0.3 used, this call costs 0.1"), "\(refusal.message)")
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "m"]) == "300000")
    }

    @Test("a shared rate of 5/s: the 6th call is rate-limited with the exact wait, whichever account asks")
    func rate() async throws {
        let redis = try await RedisServer("account-rate")
        let limits = BudgetLimits(rate: RateLimit(rate: try RateSpec(parsing: "5/s")), rules: [RuleBudget(rule: "echo")])
        let first = try account(redis, limits), second = try account(redis, limits)
        let decisions = try first.reserve(batch: Array(repeating: echo, count: 3), now: 0) + second.reserve(batch: Array(repeating: echo, count: 3), now: 0)
        #expect(decisions.prefix(5).allSatisfy { $0.reservation != nil })
        guard case .rateLimited(let wait, let scope, let spec) = decisions[5] else { Issue.record("\(decisions[5])"); return }
        #expect(scope == .overall && spec.description == "5/s" && wait >= 1 && wait <= 200, "wait \(wait)")
        let level = try await redis.integer(["HGET", "{test}:q:global:o", "u"]) ?? -1
        #expect(level >= 0 && level < 1000, "less than one token (1,000 units of 1/1000) left: \(level)")
    }

    @Test("a window: buckets older than the window leave the total (pruned by the script at the server's time)")
    func window() async throws {
        let redis = try await RedisServer("account-window")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 3), window: try BudgetWindow(parsing: "1h"), rules: [RuleBudget(rule: "echo")])
        let store = try account(redis, limits)
        let key = "{test}:b:global:o"
        // Spend of two hours ago (bucket = minute): 3 calls, the whole cap, long out of the window.
        let old = (Int64(Date().timeIntervalSince1970 * 1000) - 2 * 3_600_000) / 60_000
        try await redis.cli(["HSET", key, "c", "3", "c:\(old)", "3", "lo", "\(old)", "hi", "\(old)"])
        let decisions = try store.reserve(batch: Array(repeating: echo, count: 4), now: 0)
        #expect(decisions.map { $0.reservation != nil } == [true, true, true, false])
        #expect(try await redis.cli(["HGET", key, "c"]) == "3")
        #expect(try await redis.cli(["HEXISTS", key, "c:\(old)"]) == "0")
        guard case .exhausted(let refusal, _) = decisions[3] else { return }
        let resetsAt = try #require(refusal.resetsAt)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(resetsAt > now + 3_500_000 && resetsAt <= now + 3_660_000, "the spend of this minute leaves in about an hour: \(resetsAt - now)")
        // Spend within the window but older than the newest bucket stays counted.
        let ttl = try await redis.integer(["PTTL", key]) ?? -1
        #expect(ttl > 3_600_000 && ttl <= 3_600_000 + 120_000)
    }

    @Test("maxResultTokens is reserved up front and the difference settled at the next round trip; a release takes back all")
    func settlement() async throws {
        let redis = try await RedisServer("account-settle")
        let limits = BudgetLimits(overall: BudgetCaps(resultTokens: 1000), rules: [RuleBudget(rule: "echo", maxResultTokens: 300)])
        let store = try account(redis, limits)
        let reservation = try #require(try store.reserve(echo, now: 0).reservation)
        #expect(reservation.amount.resultTokens == 300)
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "r"]) == "300")
        _ = try store.settle(reservation, resultTokens: 120, now: 0)
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "r"]) == "300", "settled at the next round trip, not at once")
        try store.syncPending()
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "r"]) == "120")
        let second = try #require(try store.reserve(echo, now: 0).reservation)
        try store.release(second, now: 0)
        try store.syncPending()
        #expect(try await redis.cli(["HMGET", "{test}:b:global:o", "c", "r"]) == "1\n120")
    }

    @Test("sampling: a grant counts its maxTokens, the answer settles it, a request over what is left is refused")
    func sampling() async throws {
        let redis = try await RedisServer("account-sampling")
        let limits = BudgetLimits(overall: BudgetCaps(samplingTokens: 1000), samplingMaxTokensPerRequest: 800)
        let store = try account(redis, limits)
        guard case .granted(let grant, _) = try store.reserveSampling(maxTokens: 700, now: 0) else { Issue.record("refused"); return }
        _ = try store.settleSampling(grant, tokens: 100, now: 0)
        try store.syncPending()
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "s"]) == "100")
        guard case .overPerRequest(800) = try store.reserveSampling(maxTokens: 900, now: 0) else { Issue.record("per request"); return }
        guard case .granted = try store.reserveSampling(maxTokens: 800, now: 0) else { Issue.record("800 of 900 left"); return }
        guard case .exhausted(let refusal, _) = try store.reserveSampling(maxTokens: 101, now: 0) else { Issue.record("over"); return }
        #expect(refusal.used == 900 && refusal.cap == 1000)
    }

    @Test("threshold crossings at 50, 80 and 100% come from the store's totals, once each")
    func crossings() async throws {
        let redis = try await RedisServer("account-crossings")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10), rules: [RuleBudget(rule: "echo")])
        let store = try account(redis, limits)
        let crossings = try store.reserve(batch: Array(repeating: echo, count: 10), now: 0).flatMap(\.crossings)
        #expect(crossings.map(\.percent) == [50, 80, 100] && crossings.map(\.used) == [5, 8, 10])
    }

    @Test("scopes: two agents have a cap each; a global rule budget is shared by both")
    func scopes() async throws {
        let redis = try await RedisServer("account-scopes")
        func limits(_ agent: String) -> BudgetLimits {
            BudgetLimits(overall: BudgetCaps(calls: 3), rules: [RuleBudget(rule: "echo", caps: BudgetCaps(calls: 5), spendScope: "global")],
                         spendScope: "agent:\(agent)")
        }
        let alice = try account(redis, limits("alice")), bob = try account(redis, limits("bob"))
        let fromAlice = try alice.reserve(batch: Array(repeating: echo, count: 4), now: 0)
        let fromBob = try bob.reserve(batch: Array(repeating: echo, count: 4), now: 0)
        #expect(fromAlice.filter { $0.reservation != nil }.count == 3)
        #expect(fromBob.filter { $0.reservation != nil }.count == 2, "the shared rule budget of 5 is used up by bob's 2nd")
        guard case .exhausted(let refusal, _)? = fromBob.last else { Issue.record("bob's 4th reserved"); return }
        #expect(refusal.budget == "tools.echo.budget.calls")
        #expect(try await redis.cli(["HGET", "{test}:b:agent%3Aalice:o", "c"]) == "3")
        #expect(try await redis.cli(["HGET", "{test}:b:agent%3Abob:o", "c"]) == "2")
        #expect(try await redis.cli(["HGET", "{test}:b:global:r:echo", "c"]) == "5")
    }

    @Test("deny on failure: a stopped store denies with retryAfterMs and says so once; it counts again once back")
    func deny() async throws {
        let redis = try await RedisServer("account-deny")
        let notices = Notices()
        let store = try account(redis, BudgetLimits(overall: BudgetCaps(calls: 10), rules: [RuleBudget(rule: "echo")]), notices: notices)
        #expect(try store.reserve(echo, now: 0).reservation != nil)
        redis.stop()
        for _ in 0..<3 {
            #expect {
                try store.reserve(echo, now: 0)
            } throws: { error in
                guard let error = error as? LedgerError else { return false }
                return error.setting == "budgets.store" && (error.retryAfterMs ?? 0) >= 1
            }
        }
        #expect(notices.states == [.unavailable])
        try await redis.start()
        try await Task.sleep(for: .milliseconds(Int(StoreClient.maximumBackoffMs) + 50))
        #expect(try store.reserve(echo, now: 0).reservation != nil)
        #expect(notices.states == [.unavailable, .available])
    }

    @Test("local on failure: at most localShare × cap locally during the outage, added to the store once it is back")
    func local() async throws {
        let redis = try await RedisServer("account-local", appendOnly: true)
        let notices = Notices()
        let limits = BudgetLimits(overall: BudgetCaps(calls: 100), rules: [RuleBudget(rule: "echo")])
        let store = try account(redis, limits, onFailure: .local(share: try CostUnits(parsing: "0.1")), notices: notices)
        #expect(try store.reserve(batch: Array(repeating: echo, count: 20), now: 0).allSatisfy { $0.reservation != nil })
        redis.stop()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let during = try store.reserve(batch: Array(repeating: echo, count: 15), now: now)
        #expect(during.filter { $0.reservation != nil }.count == 10, "10% of 100")
        #expect(notices.states == [.local])
        try await redis.start()
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "c"]) == "20", "the append-only file kept the 20")
        try await Task.sleep(for: .milliseconds(Int(StoreClient.maximumBackoffMs) + 50))
        #expect(try store.reserve(echo, now: now).reservation != nil)
        #expect(try await redis.cli(["HGET", "{test}:b:global:o", "c"]) == "31", "20 before, 10 during the outage, 1 after")
        #expect(notices.states == [.local, .available])
        #expect(notices.last?.message.contains("10 calls") == true)
    }

    @Test("forecast reads the store at its own time, scope by scope")
    func forecast() async throws {
        let redis = try await RedisServer("account-forecast")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10), window: try BudgetWindow(parsing: "1d"), rules: [RuleBudget(rule: "echo")], spendScope: "agent:alice")
        let store = try account(redis, limits)
        _ = try store.reserve(batch: Array(repeating: echo, count: 4), now: 0)
        let forecast = try store.forecast(now: 0)
        let calls = try #require(forecast.rows.first { $0.counter == .calls })
        #expect(calls.used == 4 && calls.cap == 10 && calls.recent == 4 && calls.spendScope == "agent:alice", "\(forecast.rows)")
    }

    @Test("the ACLs docs/manifest.md gives: a gate reserves, settles and grants with its own; show and reset need theirs")
    func acls() async throws {
        let redis = try await RedisServer("account-acl")
        try await redis.cli(["ACL", "SETUSER", "tollgate-gate", "on", ">gate-pw", "resetkeys", "~{test}:*", "resetchannels", "-@all",
                             "+evalsha", "+script|load", "+select", "+time", "+hmget", "+hget", "+hset", "+hdel", "+hincrby", "+del", "+pexpire"])
        try await redis.cli(["ACL", "SETUSER", "tollgate-admin", "on", ">admin-pw", "resetkeys", "~{test}:*", "resetchannels", "-@all",
                             "+scan", "+hgetall", "+time", "+select", "+del"])
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10, samplingTokens: 100), rate: RateLimit(rate: try RateSpec(parsing: "100/s")),
                                  window: try BudgetWindow(parsing: "1h"),
                                  rules: [RuleBudget(rule: "echo", caps: BudgetCaps(calls: 5), maxResultTokens: 50)])
        let settings = StoreSettings(endpoint: try StoreEndpoint(parsing: redis.unixURL(db: 2)), user: "tollgate-gate", namespace: "test", operationTimeoutMs: 2000)
        let gate = StoreAccount(settings: settings, password: "gate-pw", limits: limits, diagnostics: .silent)
        let reservation = try #require(try gate.reserve(echo, now: 0).reservation)
        _ = try gate.settle(reservation, resultTokens: 7, now: 0)
        guard case .granted = try gate.reserveSampling(maxTokens: 20, now: 0) else { Issue.record("sampling refused"); return }
        try gate.syncPending()
        #expect(try await redis.cli(["-n", "2", "HMGET", "{test}:b:global:o", "c", "r", "s"]) == "1\n7\n20")

        func reader(_ user: String, _ password: String) throws -> StoreClient {
            StoreClient(settings: StoreClient.Settings(endpoint: try StoreEndpoint(parsing: redis.unixURL(db: 2)), user: user, password: password,
                                                       operationTimeoutMs: 2000), script: StoreScript.text)
        }
        let keys = StoreKeys(namespace: "test")
        #expect(throws: StoreError.self, "a gate's user cannot scan") {
            try StoreReader.forecast(client: try reader("tollgate-gate", "gate-pw"), keys: keys, limits: limits, onlyConfigured: false)
        }
        let admin = try reader("tollgate-admin", "admin-pw")
        let rows = try StoreReader.forecast(client: admin, keys: keys, limits: limits, onlyConfigured: false).rows
        #expect(rows.first { $0.budget == "tools.echo.budget.calls" }?.used == 1, "\(rows)")
        // 2 budgets and the rate bucket, unless it filled up again and expired meanwhile (after 1 s).
        let removed = try StoreReader.reset(client: admin, keys: keys, spendScope: "global", budget: nil)
        #expect(removed == 2 || removed == 3, "\(removed)")
        #expect(try await redis.cli(["-n", "2", "DBSIZE"]) == "0")
    }
}

