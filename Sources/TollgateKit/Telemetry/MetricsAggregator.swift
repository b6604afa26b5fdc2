/// Every metric Tollgate exports, aggregated cumulatively since start (pure; the exporter thread
/// owns it): the operation duration histogram, the decisions by tool, decision and code, the
/// counters of ``TelemetryCounter``, telemetry's own drops, and the budgets' gauges.
///
/// Tool names arrive already bounded (see ``ToolNameBound``), so the series stay few.
struct MetricsAggregator: Sendable {
    /// A series of the duration histogram.
    struct DurationKey: Hashable, Sendable {
        var method: String
        var tool: ProtocolName?
        var decision: TelemetryDecision
        var errorType: String?
        var statusCode: String?
    }

    /// A series of the decision counter.
    struct DecisionKey: Hashable, Sendable {
        var tool: ProtocolName
        var decision: TelemetryDecision
        var code: String?
    }

    /// Why telemetry dropped something.
    enum DropReason: String, Sendable {
        /// The queue between the call path and the exporter was full.
        case queueFull = "queue_full"
        /// The exporter had more spans waiting than it keeps.
        case bufferFull = "buffer_full"
        /// The collector refused, failed or did not answer.
        case exportFailed = "export_failed"
    }

    /// A series of the drop counter.
    struct DropKey: Hashable, Sendable {
        var signal: String
        var reason: DropReason
    }

    /// When the aggregation started (wall nanoseconds): every cumulative point's start.
    let start: Int64
    private(set) var durations: [DurationKey: DurationHistogram] = [:]
    private(set) var decisions: [DecisionKey: UInt64] = [:]
    private(set) var counters: [TelemetryCounter: UInt64] = [:]
    private(set) var drops: [DropKey: UInt64] = [:]
    /// The latest budget forecast, if budgets were sampled.
    private(set) var budgets: Forecast?

    init(start: Int64) {
        self.start = start
    }

    mutating func recordDuration(_ key: DurationKey, seconds: Double) {
        durations[key, default: DurationHistogram()].record(seconds)
    }

    mutating func countDecision(_ key: DecisionKey) {
        decisions[key, default: 0] += 1
    }

    mutating func count(_ counter: TelemetryCounter, by amount: UInt64 = 1) {
        counters[counter, default: 0] += amount
    }

    mutating func countDrops(_ amount: UInt64, signal: String, reason: DropReason) {
        guard amount > 0 else { return }
        drops[DropKey(signal: signal, reason: reason), default: 0] += amount
    }

    mutating func sampleBudgets(_ forecast: Forecast) {
        budgets = forecast
    }

    /// Every item dropped so far, of every signal.
    var droppedTotal: UInt64 { drops.values.reduce(0, +) }
}
