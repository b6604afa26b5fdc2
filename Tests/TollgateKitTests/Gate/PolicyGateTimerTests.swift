import Testing
@testable import TollgateKit

private func gate(_ text: String, account: (any BudgetAccount)? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> EffectingGate {
    let loaded = try? parseManifest(text).get()
    let manifest = try #require(loaded, sourceLocation: sourceLocation)
    return EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics, account: account)
}

@Suite("Policy gate: timeouts and ticks")
struct PolicyGateTimerTests {
    @Test("timeoutSeconds: the shortest of the allowing rules, else policy.defaultTimeoutSeconds, else none")
    func timeouts() throws {
        var policy = try gate("""
            {"version": 1, "policy": {"default": "allow", "defaultTimeoutSeconds": 30},
             "tools": {"slow_*": {"timeoutSeconds": 2.5}, "slow_query": {"timeoutSeconds": 120}, "echo": {}}}
            """)
        #expect(policy.usesTimers)
        #expect(policy.timeout(for: try call("slow_query")) == CallTimeout(milliseconds: 120_000, rule: "tools.slow_query.timeoutSeconds"),
                "the exact rule wins over the glob, as for allow")
        #expect(policy.timeout(for: try call("slow_scan")) == CallTimeout(milliseconds: 2500, rule: "tools.slow_*.timeoutSeconds"))
        #expect(policy.timeout(for: try call("echo")) == CallTimeout(milliseconds: 30_000, rule: "policy.defaultTimeoutSeconds"))
        #expect(policy.timeout(for: try call("other")) == CallTimeout(milliseconds: 30_000, rule: "policy.defaultTimeoutSeconds"))

        var none = try gate(#"{"version": 1, "tools": {"echo": {}}}"#)
        #expect(!none.usesTimers, "no timeout and no ledger: the relay keeps no timers")
        #expect(none.timeout(for: try call("echo")) == nil)
    }

    @Test("bad timeouts are refused with the path and what is expected")
    func badTimeouts() {
        let issues = manifestIssues("""
            {"version": 1, "policy": {"defaultTimeoutSeconds": 0},
             "tools": {"a": {"timeoutSeconds": "5"}, "b": {"timeoutSeconds": 999999999}, "c": {"timeoutSecond": 1}}}
            """)
        let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["policy.defaultTimeoutSeconds"]?.message.contains("above 0") == true, "\(issues)")
        #expect(byPath["tools.a.timeoutSeconds"]?.message.contains("found \"5\"") == true)
        #expect(byPath["tools.b.timeoutSeconds"]?.message.contains("at most 604800") == true)
        #expect(byPath["tools.c.timeoutSecond"]?.message.contains(#"did you mean "timeoutSeconds"?"#) == true)
        #expect(byPath["tools.b.timeoutSeconds"]?.line == 2)
    }

    @Test("a ledger with batched fsync asks for a tick, and the tick syncs what a call left unsynced")
    func batchedLedgerTick() throws {
        let directory = TemporaryDirectory()
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"calls": 10}, "tools": {"echo": {}}}"#).get())
        let ledger = try Ledger(path: directory.file("ledger"), limits: manifest.budgetLimits, sync: .batched(intervalMs: 10_000),
                                now: wallMilliseconds())
        var policy = EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics, account: ledger)
        #expect(policy.usesTimers && policy.tickIntervalMilliseconds == 10_000)
        #expect(policy.decide(try call("echo")) == .forward)
        #expect(ledger.hasUnsyncedRecords, "within the batch interval the reserve record waits for its sync")
        #expect(policy.tick().isEmpty)
        #expect(!ledger.hasUnsyncedRecords, "the tick synced it")

        let perRecord = try Ledger(path: directory.file("ledger2"), limits: manifest.budgetLimits, sync: .everyRecord, now: wallMilliseconds())
        let unbatched = EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics, account: perRecord)
        #expect(unbatched.tickIntervalMilliseconds == nil && !unbatched.usesTimers)
    }
}
