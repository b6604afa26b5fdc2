import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's floor, for `tollgate-bench store`: one `EVALSHA` of the reservation script (a
/// call reaching two budgets and two rate buckets) on a connection of its own, sequential (the round trip a gated call cannot go
/// below) and pipelined (the rate the store can take); and the same through a ``StoreAccount``.
enum StoreBenchmark {
    /// The limits the benchmark's reservations count against: caps and rates no call reaches.
    static let limits = BudgetLimits(
        overall: BudgetCaps(calls: 1 << 50, cost: CostUnits(units: 1_000_000_000), resultTokens: 1 << 50),
        rate: RateLimit(rate: RateSpec(count: 1_000_000, intervalMs: 1000), burst: 1_000_000),
        rules: [RuleBudget(rule: "echo", caps: BudgetCaps(calls: 1 << 50), rate: RateLimit(rate: RateSpec(count: 1_000_000, intervalMs: 1000), burst: 1_000_000),
                           cost: CostUnits(micros: 1000), maxResultTokens: 1000)])

    /// The runs of one reservation of the benchmark's limits under `namespace`.
    static func reservation(namespace: String, client: StoreClient) -> StoreClient.ScriptCall {
        var core = StoreCore(client: client, settings: StoreSettings(endpoint: client.settings.endpoint, namespace: namespace), limits: limits,
                             diagnostics: .silent, report: { _ in })
        return core.reservationCall(for: BudgetCall(tool: "echo", rules: [0]))
    }

    /// `count` sequential `EVALSHA` round trips on the store at `endpoint`: nanoseconds each.
    static func evalsha(_ endpoint: StoreEndpoint, namespace: String, count: Int) throws(StoreError) -> [Int64] {
        let client = StoreClient(settings: StoreClient.Settings(endpoint: endpoint, operationTimeoutMs: 5000), script: StoreScript.text)
        defer { client.disconnect() }
        let call = reservation(namespace: namespace, client: client)
        for _ in 0..<Swift.min(count, 500) { _ = try client.run([call]) }
        var samples: [Int64] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let begin = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            let reply = try client.run([call])
            samples.append(SystemClock.nanoseconds(CLOCK_MONOTONIC) - begin)
            guard reply.first?.elements?.first?.integer == 1 else { throw StoreError(.malformed, "a benchmark reservation was refused: \(reply)") }
        }
        return samples
    }

    /// `count` sequential reservations (and settlements) through a ``StoreAccount`` on the store
    /// at `endpoint`: nanoseconds each, the floor plus what the account adds.
    static func account(_ endpoint: StoreEndpoint, namespace: String, count: Int) throws(LedgerError) -> [Int64] {
        let store = StoreAccount(settings: StoreSettings(endpoint: endpoint, namespace: namespace, operationTimeoutMs: 5000), password: nil,
                                 limits: limits, diagnostics: .silent)
        defer { store.close() }
        let call = BudgetCall(tool: "echo", rules: [0])
        var samples: [Int64] = []
        samples.reserveCapacity(count)
        for index in 0..<(count + Swift.min(count, 500)) {
            let begin = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            guard let reservation = try store.reserve(call, now: 0).reservation else {
                throw LedgerError(path: "\(endpoint)", message: "a benchmark reservation was refused", setting: "budgets.store")
            }
            _ = try store.settle(reservation, resultTokens: 5, now: 0)
            if index >= Swift.min(count, 500) { samples.append(SystemClock.nanoseconds(CLOCK_MONOTONIC) - begin) }
        }
        return samples
    }

    /// Reservations per second, `total` of them sent `batch` per pipelined round trip.
    static func pipelinedRate(_ endpoint: StoreEndpoint, namespace: String, total: Int, batch: Int) throws(StoreError) -> Double {
        let client = StoreClient(settings: StoreClient.Settings(endpoint: endpoint, operationTimeoutMs: 5000), script: StoreScript.text)
        defer { client.disconnect() }
        let calls = Array(repeating: reservation(namespace: namespace, client: client), count: batch)
        _ = try client.run(calls)
        let begin = SystemClock.nanoseconds(CLOCK_MONOTONIC)
        var sent = 0
        while sent < total {
            _ = try client.run(calls)
            sent += batch
        }
        return Double(sent) / (Double(SystemClock.nanoseconds(CLOCK_MONOTONIC) - begin) / 1e9)
    }
}
