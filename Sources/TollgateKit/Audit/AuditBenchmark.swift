#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures what the audit trail adds to one call, for `tollgate-bench`: the `decision` record
/// written before the call is forwarded plus the `outcome` record written when its response
/// arrives (redaction, canonical form, SHA-256 or HMAC chain hash, one locked `write` each),
/// with `fsync: batch` and with `fsync: always`.
public enum AuditBenchmark {
    /// The figures of one run.
    public struct Report: Sendable, Hashable {
        /// Decision + outcome records per call, `fsync: batch`.
        public var batch: BudgetBenchmark.Timing
        /// The same, chained with HMAC-SHA-256 (`TOLLGATE_AUDIT_KEY` set).
        public var batchKeyed: BudgetBenchmark.Timing
        /// Decision + outcome records per call, `fsync: always` (two `fdatasync` per call).
        public var always: BudgetBenchmark.Timing

        /// One line per figure.
        public var text: String {
            """
            audit per call, fsync batch:         \(batch) (goal: p50 ≤ 5 µs)
            audit per call, fsync batch + HMAC:  \(batchKeyed)
            audit per call, fsync always:        \(always)
            """
        }
    }

    /// Runs every measurement; logs are created in `directory` and removed.
    public static func run(directory: String, iterations: Int = 20_000, syncedIterations: Int = 300) throws(AuditError) -> Report {
        let batch = try timing(directory + "/bench-batch.log", .batch, key: nil, iterations)
        let keyed = try timing(directory + "/bench-keyed.log", .batch, key: Array("bench-key-0123456789abcdef".utf8), iterations)
        let always = try timing(directory + "/bench-always.log", .always, key: nil, syncedIterations)
        return Report(batch: batch, batchKeyed: keyed, always: always)
    }

    /// Records `count` calls into `path` (fsync batch), for profilers (`tollgate-bench loop audit N`).
    public static func loop(path: String, count: Int) throws(AuditError) {
        _ = try timing(path, .batch, key: nil, count)
    }

    /// Times the records of `count` calls (an `echo` with a short text, arguments redacted).
    private static func timing(_ path: String, _ durability: AuditLog.Durability, key: [UInt8]?, _ count: Int) throws(AuditError) -> BudgetBenchmark.Timing {
        unlink(path)
        defer { unlink(path) }
        let log = try AuditLog.open(path: path, fsync: durability, key: key)
        var trail = AuditTrail(log: log, arguments: .redacted, server: "bench")
        var samples: [Int64] = []
        samples.reserveCapacity(count)
        for index in 0..<count {
            let call: ToolCall
            do throws(JSONRPCError) {
                call = try ToolCall(id: RequestID(bytes: Array(String(index).utf8), isString: false, hasEscapes: false),
                                    params: ["name": "echo", "arguments": ["text": "hello from the benchmark"]])
            } catch {
                continue
            }
            let begin = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            try trail.recordDecision(call, .allowed, denial: nil)
            try trail.recordOutcome(call, .result(isError: false, bytes: 64))
            let end = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            if index >= count / 10 { samples.append(end - begin) }
        }
        try log.close()
        return BudgetBenchmark.Timing(samples)
    }
}
