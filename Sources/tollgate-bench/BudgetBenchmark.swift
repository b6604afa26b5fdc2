import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures what budget accounting adds to a call, for `tollgate-bench`: in memory (reserve +
/// settle on a ``BudgetState``, a rate-limiter take, a result's token estimate) and with a
/// ledger (reserve and settle, with batched syncs and with an `fdatasync` per record).
enum BudgetBenchmark {
    /// Percentiles of one measured operation, in nanoseconds.
    struct Timing: Sendable, Hashable, CustomStringConvertible {
        /// The median.
        var p50: Int64
        /// The 99th percentile.
        var p99: Int64
        /// The mean.
        var mean: Int64

        /// `p50 1.2 µs, p99 3.4 µs, mean 1.5 µs`.
        var description: String { "p50 \(Self.micros(p50)), p99 \(Self.micros(p99)), mean \(Self.micros(mean))" }

        static func micros(_ nanoseconds: Int64) -> String {
            nanoseconds < 10_000 ? "\(Forecast.decimal(Double(nanoseconds) / 1000, places: 3)) µs" : "\(Forecast.decimal(Double(nanoseconds) / 1000, places: 1)) µs"
        }

        init(_ samples: [Int64]) {
            let sorted = samples.sorted()
            p50 = sorted[sorted.count / 2]
            p99 = sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
            mean = sorted.reduce(0, +) / Int64(sorted.count)
        }
    }

    /// The figures of one run.
    struct Report: Sendable, Hashable {
        /// In memory: reserve + settle of one call (three budgets: overall, rule, per tool).
        var inMemoryReserveSettle: Timing
        /// In memory: a rate-limiter take (overall and per-rule buckets).
        var rateLimiterTake: Timing
        /// Estimating the tokens of a 4 KiB text result.
        var estimate4KiB: Timing
        /// Ledger, batched syncs (every 50 ms): reserve.
        var ledgerBatchedReserve: Timing
        /// Ledger, batched syncs: settle (a sync falls on about one settle in 50 ms).
        var ledgerBatchedSettle: Timing
        /// Ledger, `fdatasync` per record: reserve.
        var ledgerSyncedReserve: Timing
        /// Ledger, `fdatasync` per record: settle.
        var ledgerSyncedSettle: Timing
        /// Ledger, batched, two instances (threads) alternating on one file: reserve, which then
        /// also replays the other writer's records.
        var ledgerSharedReserve: Timing

        /// One line per figure.
        var text: String {
            """
            budget in memory, reserve + settle: \(inMemoryReserveSettle)
            rate limiter take:                  \(rateLimiterTake)
            token estimate of 4 KiB of text:    \(estimate4KiB)
            ledger reserve, fsync batched:      \(ledgerBatchedReserve)
            ledger settle, fsync batched:       \(ledgerBatchedSettle)
            ledger reserve, fsync per record:   \(ledgerSyncedReserve)
            ledger settle, fsync per record:    \(ledgerSyncedSettle)
            ledger reserve, shared, batched:    \(ledgerSharedReserve)
            """
        }
    }

    /// Runs every measurement; ledgers are created in `directory` and removed.
    static func run(directory: String, iterations: Int = 20_000, syncedIterations: Int = 500) throws(LedgerError) -> Report {
        let limits = BudgetLimits(
            overall: BudgetCaps(calls: Int64.max / 4, cost: CostUnits(units: 1_000_000_000), resultTokens: Int64.max / 4),
            rate: RateLimit(rate: RateSpec(count: 1_000_000, intervalMs: 1000)),
            rules: [RuleBudget(rule: "search", caps: BudgetCaps(calls: Int64.max / 4), rate: RateLimit(rate: RateSpec(count: 1_000_000, intervalMs: 1000)),
                               cost: CostUnits(micros: 1)),
                    RuleBudget(rule: "fs_*", caps: BudgetCaps(calls: Int64.max / 4), per: .tool)])
        let calls = [BudgetCall(tool: "search", rules: [0]), BudgetCall(tool: "fs_read", rules: [1])]
        let start = wallClock()

        var state = BudgetState(limits: limits)
        let memory = measure(iterations) { index in
            let now = start + Int64(index / 64)
            if let reservation = state.reserve(calls[index & 1], now: now).reservation {
                _ = state.settle(reservation, resultTokens: 300, now: now)
            }
        }
        var limiter = RateLimiter(limits: limits)
        let rate = measure(iterations) { index in _ = limiter.take(calls[0], now: Int64(index)) }
        let text = String(repeating: "The ledger appends one record per call; {\"rows\": [1, 2, 3]}\n", count: 68)
        let estimate = measure(iterations / 10) { _ in _ = TokenEstimator.estimate(text: text) }

        let batched = try ledgerTimings(directory + "/bench-batched.ledger", limits, calls, .batched(intervalMs: 50), iterations / 4, start)
        let synced = try ledgerTimings(directory + "/bench-synced.ledger", limits, calls, .everyRecord, syncedIterations, start)
        let shared = try sharedTiming(directory + "/bench-shared.ledger", limits, calls, iterations / 8, start)
        return Report(inMemoryReserveSettle: memory, rateLimiterTake: rate, estimate4KiB: estimate,
                      ledgerBatchedReserve: batched.reserve, ledgerBatchedSettle: batched.settle,
                      ledgerSyncedReserve: synced.reserve, ledgerSyncedSettle: synced.settle, ledgerSharedReserve: shared)
    }

    /// Times `body` per call, in batches of 16 calls (so the clock's own cost, ~20 ns, is spread).
    static func measure(_ count: Int, _ body: (Int) -> Void) -> Timing {
        for index in 0..<Swift.min(count, 1000) { body(index) } // warm up
        var samples: [Int64] = []
        samples.reserveCapacity(count / 16 + 1)
        var index = 0
        while index < count {
            let begin = monotonicNanos()
            for offset in 0..<16 { body(index + offset) }
            samples.append((monotonicNanos() - begin) / 16)
            index += 16
        }
        return Timing(samples)
    }

    private static func ledgerTimings(_ path: String, _ limits: BudgetLimits, _ calls: [BudgetCall], _ sync: LedgerSync,
                                      _ count: Int, _ start: Int64) throws(LedgerError) -> (reserve: Timing, settle: Timing) {
        unlink(path)
        defer { unlink(path); unlink(path + ".lock") }
        let ledger = try Ledger(path: path, limits: limits, sync: sync, now: start)
        var reserves: [Int64] = []
        var settles: [Int64] = []
        for index in 0..<count {
            let now = wallClock()
            let begin = monotonicNanos()
            guard let reservation = try ledger.reserve(calls[index & 1], now: now).reservation else { continue }
            let middle = monotonicNanos()
            _ = try ledger.settle(reservation, resultTokens: 300, now: now)
            let end = monotonicNanos()
            if index >= count / 10 {
                reserves.append(middle - begin)
                settles.append(end - middle)
            }
        }
        try ledger.flush()
        return (Timing(reserves), Timing(settles))
    }

    private static func sharedTiming(_ path: String, _ limits: BudgetLimits, _ calls: [BudgetCall], _ count: Int,
                                     _ start: Int64) throws(LedgerError) -> Timing {
        unlink(path)
        defer { unlink(path); unlink(path + ".lock") }
        let first = try Ledger(path: path, limits: limits, now: start)
        let second = try Ledger(path: path, limits: limits, now: start)
        var samples: [Int64] = []
        for index in 0..<count {
            let ledger = index & 1 == 0 ? first : second
            let now = wallClock()
            let begin = monotonicNanos()
            let reservation = try ledger.reserve(calls[index & 1], now: now).reservation
            let end = monotonicNanos()
            if let reservation { _ = try ledger.settle(reservation, resultTokens: 300, now: now) }
            if index >= count / 10 { samples.append(end - begin) }
        }
        return Timing(samples)
    }

    private static func monotonicNanos() -> Int64 { SystemClock.nanoseconds(CLOCK_MONOTONIC) }

    private static func wallClock() -> Int64 { SystemClock.wallMilliseconds() }
}
