import Dispatch

/// Tollgate's OpenTelemetry export: spans per call (following the MCP semantic conventions),
/// metrics (durations, decisions, budgets, failures) and audit checkpoints, over OTLP/HTTP with
/// JSON to a collector and/or to a file.
///
/// The call path only calls ``record(_:)``, from the effects owner as it carries a decision's
/// effects out (``CallEffects``), never under the session's lock: it copies a plain value into a
/// bounded queue and returns, never waiting and never failing (a full queue drops the event and
/// counts it). Spans,
/// metrics and exports happen on a thread of their own (``TelemetryExporter``). Telemetry is
/// not audit: the audit trail stays fail closed; telemetry only ever drops.
public final class Telemetry: Sendable {
    private let queue: TelemetryQueue
    private let finished = DispatchSemaphore(value: 0)
    private let counts = TelemetryTally()
    /// Whether spans and metrics are exported (false: only audit checkpoints are kept).
    public let isExporting: Bool

    /// Starts the exporter thread. `serverName` names the only server (nil with several, whose
    /// calls are told apart by `namespace`); `checkpoints` checkpoints an audit log. Call it with
    /// the relay's signals blocked, so the thread inherits the mask.
    public init(configuration: TelemetryConfiguration, serverName: String?, namespace: ToolNamespace? = nil,
                checkpoints: CheckpointSettings? = nil, diagnostics: Diagnostics = .standardError) {
        queue = TelemetryQueue(capacity: configuration.queueCapacity)
        isExporting = configuration.isActive
        let queue = queue
        let finished = finished
        let counts = counts
        startThread {
            let assembler = SpanAssembler(sampler: configuration.sampler, serverName: serverName, namespace: namespace)
            TelemetryExporter(configuration: configuration, assembler: assembler, checkpoints: checkpoints, diagnostics: diagnostics,
                              statistics: counts).run(queue)
            finished.signal()
        }
    }

    /// Hands an event to the exporter; returns at once.
    public func record(_ event: TelemetryEvent) {
        queue.push(event)
    }

    /// What the exporter did so far.
    public var statistics: TelemetryStatistics { counts.current }

    /// Exports what is left (and a last audit checkpoint), waiting at most a few seconds for the
    /// collector. Call it once, at exit, after the audit log's last record.
    public func finish() {
        queue.stop()
        _ = finished.wait(timeout: .now() + .milliseconds(Int(TelemetryExporter.finalExportMilliseconds) * 3 + 500))
    }
}
