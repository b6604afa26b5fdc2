import TollgateKit

/// Measures what telemetry costs, for `tollgate-bench`: the time a call's decision and end take
/// in the gate and its effects owner, as the relay takes them, with telemetry on (traces and
/// metrics, `always_on`, to a ``LoopbackCollector``) and off, on one pinned CPU; and how many
/// spans a second the exporter takes without dropping any.
enum TelemetryBenchmark {
    /// What the exporter did at one offered rate.
    struct Throughput: Sendable, Hashable {
        var offeredSpansPerSecond: Int
        var sampler: String
        var produced: UInt64
        var exported: UInt64
        /// Events the queue could not take, and spans dropped after they were made.
        var droppedEvents: UInt64
        var droppedSpans: UInt64
    }

    /// The figures of one run.
    struct Report: Sendable, Hashable {
        var off: BudgetBenchmark.Timing
        var on: BudgetBenchmark.Timing
        var throughput: [Throughput]

        /// One line per figure.
        var text: String {
            var lines = [
                "gate per call (decide + end), telemetry off:  \(off)",
                "gate per call (decide + end), telemetry on:   \(on)",
                "added p50 per call: \(BudgetBenchmark.Timing.micros(on.p50 - off.p50)) (goal ≤ 2 µs)",
            ]
            for rate in throughput {
                lines.append("exporter at \(rate.offeredSpansPerSecond) spans/s offered (\(rate.sampler)): \(rate.exported) of \(rate.produced) spans exported; "
                             + "dropped: \(rate.droppedEvents) events at the queue, \(rate.droppedSpans) spans")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs every measurement against a loopback collector; nil when none could be started.
    static func run(iterations: Int = 200_000, seconds: Double = 2, rates: [Int] = [50_000, 100_000, 200_000]) -> Report? {
        guard let collector = LoopbackCollector() else { return nil }
        defer { collector.stop() }
        let manifest: Manifest
        do throws(ManifestError) {
            manifest = try ManifestLoader.parse(SourceText(path: "/tmp/bench.json", bytes: Array(#"{"version": 1, "tools": {"echo": {}}}"#.utf8)))
        } catch {
            return nil
        }
        var configuration = TelemetryConfiguration()
        configuration.tracesEndpoint = try? OTLPEndpoint(base: collector.endpoint, signalPath: "v1/traces")
        configuration.metricsEndpoint = try? OTLPEndpoint(base: collector.endpoint, signalPath: "v1/metrics")
        configuration.sampler = .alwaysOn
        configuration.spanDelayMilliseconds = 200
        configuration.metricIntervalMilliseconds = 1000
        let telemetry = Telemetry(configuration: configuration, serverName: "bench", diagnostics: .silent)
        let plainEffects = CallEffects(diagnostics: .silent)
        var plain = PolicyGate(manifest: manifest, diagnostics: .silent, effects: plainEffects)
        let plainOwner = EffectsOwner(plainEffects)
        let tracedEffects = CallEffects(telemetry: GateTelemetry(sink: telemetry, budgetIntervalMilliseconds: 1000), diagnostics: .silent)
        var traced = PolicyGate(manifest: manifest, diagnostics: .silent, effects: tracedEffects)
        let tracedOwner = EffectsOwner(tracedEffects)
        // Interleaved rounds, so both see the same machine, on one CPU (the exporter, started
        // before, runs on the others), so the figures do not move between cores mid-run.
        pinCurrentThread(toCPU: 0)
        var off: [Int64] = [], on: [Int64] = []
        for round in 0..<10 {
            off += timeCalls(&plain, plainOwner, iterations / 10, offset: round * iterations)
            on += timeCalls(&traced, tracedOwner, iterations / 10, offset: round * iterations)
        }
        pinCurrentThread(toCPU: -1)
        telemetry.finish()
        var throughput: [Throughput] = []
        for rate in rates { throughput.append(exporterThroughput(spansPerSecond: rate, seconds: seconds, sampler: .alwaysOn, collector: collector)) }
        throughput.append(exporterThroughput(spansPerSecond: rates.last ?? 200_000, seconds: seconds, sampler: .traceIDRatio(0.1), collector: collector))
        return Report(off: BudgetBenchmark.Timing(off), on: BudgetBenchmark.Timing(on), throughput: throughput)
    }

    /// Times `count` calls through `gate` and `owner` as the relay takes them: decided, its
    /// effects queued and carried out before it would be forwarded; then ended with a result,
    /// its effects queued and carried out.
    private static func timeCalls(_ gate: inout PolicyGate, _ owner: EffectsOwner, _ count: Int, offset: Int) -> [Int64] {
        var samples: [Int64] = []
        samples.reserveCapacity(count)
        for index in 0..<count {
            guard let call = call(offset + index) else { continue }
            let begin = SystemClock.monotonicNanoseconds()
            _ = gate.decide(call)
            let decided = gate.takeEffects()
            if !decided.isEmpty { _ = owner.complete(owner.enqueue(decided)) }
            _ = gate.callCompleted(call, outcome: .result(isError: false, bytes: 64), result: nil)
            let ended = gate.takeEffects()
            if !ended.isEmpty {
                _ = owner.enqueue(ended)
                owner.drain()
            }
            samples.append(SystemClock.monotonicNanoseconds() - begin)
        }
        return samples
    }

    private static func call(_ index: Int) -> ToolCall? {
        try? ToolCall(id: RequestID(bytes: Array(String(index).utf8), isString: false, hasEscapes: false),
                      params: ["name": "echo", "arguments": ["text": "hello from the benchmark"]])
    }

    /// Offers `spansPerSecond` (two spans per call: SERVER and CLIENT) for `seconds`, then
    /// counts what the collector got and what was dropped.
    private static func exporterThroughput(spansPerSecond: Int, seconds: Double, sampler: Sampler, collector: LoopbackCollector) -> Throughput {
        var configuration = TelemetryConfiguration()
        configuration.tracesEndpoint = try? OTLPEndpoint(base: collector.endpoint, signalPath: "v1/traces")
        configuration.sampler = sampler
        configuration.spanDelayMilliseconds = 200
        let telemetry = Telemetry(configuration: configuration, serverName: "bench", diagnostics: .silent)
        let calls = Int(Double(spansPerSecond) * seconds) / 2
        let interval = 2_000_000_000 / Int64(spansPerSecond)
        let start = SystemClock.monotonicNanoseconds()
        for index in 0..<calls {
            let due = start + Int64(index) * interval
            while SystemClock.monotonicNanoseconds() < due {}
            let id = RequestID(bytes: Array(String(index).utf8), isString: false, hasEscapes: false)
            telemetry.record(.decided(CallDecision(id: id, tool: "echo", toolIsKnown: true, decision: .allowed)))
            telemetry.record(.ended(CallEnd(id: id, outcome: .result(isError: false, bytes: 64))))
        }
        telemetry.finish()
        let statistics = telemetry.statistics
        let name: String = switch sampler {
        case .traceIDRatio(let ratio): "traceidratio \(ratio)"
        default: "always_on"
        }
        return Throughput(offeredSpansPerSecond: spansPerSecond, sampler: name, produced: UInt64(calls * 2), exported: statistics.exportedSpans,
                          droppedEvents: statistics.droppedEvents, droppedSpans: statistics.droppedSpans)
    }
}
