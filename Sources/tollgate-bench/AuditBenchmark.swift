import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures what the audit trail costs a call, for `tollgate-bench`: the `decision` record written
/// before the call is forwarded, and the `outcome` record built when its response arrives and
/// written once the response was relayed (redaction, canonical form, SHA-256 or HMAC chain hash,
/// one locked `write` each), with `fsync: batch` and with `fsync: always`.
///
/// Two figures per setting: what lies on the call's path (the decision record, and queuing the
/// outcome record before the response goes to the client), which is what the call waits for; and
/// everything per call, with the outcome record's own `write` after the response.
enum AuditBenchmark {
    /// What one setting costs per call.
    struct Figures: Sendable, Hashable {
        /// The decision record and the queued outcome record: what the call waits for.
        var onPath: BudgetBenchmark.Timing
        /// The same and the outcome record's `write` after the response was relayed.
        var perCall: BudgetBenchmark.Timing
    }

    /// The figures of one run.
    struct Report: Sendable, Hashable {
        /// `fsync: batch`.
        var batch: Figures
        /// The same, chained with HMAC-SHA-256 (`TOLLGATE_AUDIT_KEY` set).
        var batchKeyed: Figures
        /// `fsync: always` (an `fdatasync` after each `write`).
        var always: Figures

        /// One line per figure.
        var text: String {
            """
            audit on a call's path, fsync batch:         \(batch.onPath) (goal: p50 ≤ 5 µs)
            audit per call in all, fsync batch:          \(batch.perCall)
            audit on a call's path, fsync batch + HMAC:  \(batchKeyed.onPath)
            audit per call in all, fsync batch + HMAC:   \(batchKeyed.perCall)
            audit on a call's path, fsync always:        \(always.onPath)
            audit per call in all, fsync always:         \(always.perCall)
            """
        }
    }

    /// Runs every measurement; logs are created in `directory` and removed.
    static func run(directory: String, iterations: Int = 20_000, syncedIterations: Int = 300) throws(AuditError) -> Report {
        let batch = try figures(directory + "/bench-batch.log", .batch, key: nil, iterations)
        let keyed = try figures(directory + "/bench-keyed.log", .batch, key: Array("bench-key-0123456789abcdef".utf8), iterations)
        let always = try figures(directory + "/bench-always.log", .always, key: nil, syncedIterations)
        return Report(batch: batch, batchKeyed: keyed, always: always)
    }

    /// Records `count` calls into `path` (fsync batch), for profilers (`tollgate-bench loop audit N`).
    static func loop(path: String, count: Int) throws(AuditError) {
        _ = try figures(path, .batch, key: nil, count)
    }

    /// Times the records of `count` calls (an `echo` with a short text, arguments redacted), one
    /// after another as a client that waits for each answer makes them.
    private static func figures(_ path: String, _ durability: AuditLog.Durability, key: [UInt8]?, _ count: Int) throws(AuditError) -> Figures {
        unlink(path)
        defer {
            unlink(path)
            unlink(AuditLock.path(forLog: path))
        }
        let log = try AuditLog.open(path: path, fsync: durability, key: key)
        var trail = AuditTrail(log: log, arguments: .redacted, server: "bench")
        var onPath: [Int64] = [], perCall: [Int64] = []
        onPath.reserveCapacity(count)
        perCall.reserveCapacity(count)
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
            trail.recordOutcome(call, .result(isError: false, bytes: 64))
            let answered = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            log.writePending()
            let end = SystemClock.nanoseconds(CLOCK_MONOTONIC)
            if index >= count / 10 {
                onPath.append(answered - begin)
                perCall.append(end - begin)
            }
        }
        try log.close()
        return Figures(onPath: BudgetBenchmark.Timing(onPath), perCall: BudgetBenchmark.Timing(perCall))
    }
}
