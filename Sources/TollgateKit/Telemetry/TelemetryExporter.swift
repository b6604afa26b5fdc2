#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exporter thread's side of telemetry: drains the queue every ``drainMilliseconds`` (or when
/// it fills past half), assembles spans and metrics, and exports spans in batches (every
/// `spanDelayMilliseconds` or ``TelemetryConfiguration/maxSpansPerExport`` spans), metrics every
/// `metricIntervalMilliseconds`, and audit checkpoints on their own interval; everything once
/// more when telemetry stops.
///
/// A collector that is down, slow or failing never holds up a call: the exporter waits for it
/// (at most the export timeout), the queue fills meanwhile and what does not fit is dropped and
/// counted. After a failed export, exports to that endpoint pause (1 s, doubling up to 30 s;
/// what comes meanwhile is dropped and counted); the drop counts reach the collector with the
/// next metrics it accepts. One line on stderr says when an endpoint fails and when it answers again.
final class TelemetryExporter {
    /// How often the queue is drained when nothing wakes the exporter earlier.
    static let drainMilliseconds: Int64 = 100
    /// The longest pause after failed exports.
    static let maxBackoffMilliseconds: Int64 = 30_000
    /// The most the last exports may take when telemetry stops.
    static let finalExportMilliseconds: Int64 = 2_000

    /// An endpoint's failures.
    private struct Failing {
        var until: Int64
        var pause: Int64
        var dropped: UInt64 = 0
        /// Whether an export at the end was tried (and failed): one is, even while pausing.
        var failedAtEnd = false
    }

    private let configuration: TelemetryConfiguration
    private let resource: [OTLPAttribute]
    private let scope = TelemetryScope()
    private let checkpoints: CheckpointSettings?
    private let diagnostics: Diagnostics
    private var assembler: SpanAssembler
    private var spans: [SpanRecord] = []
    private var clients: [TelemetrySignal: HTTPClient] = [:]
    private var failing: [TelemetrySignal: Failing] = [:]
    private var file: Int32 = -1
    private var fileFailed = false
    private var lastCheckpointSeq = 0
    private let statistics: TelemetryTally

    init(configuration: TelemetryConfiguration, assembler: SpanAssembler, checkpoints: CheckpointSettings?, diagnostics: Diagnostics,
         statistics: TelemetryTally) {
        self.configuration = configuration
        self.statistics = statistics
        self.assembler = assembler
        self.checkpoints = checkpoints
        self.diagnostics = diagnostics
        resource = configuration.resource(instance: checkpoints?.log.runID ?? AuditRunID.random())
        if let path = configuration.file, !configuration.disabled {
            file = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            if file < 0 { diagnostics.report("telemetry: cannot open \(path): \(String(cString: strerror(errno))); nothing is written there") }
        }
    }

    deinit {
        if file >= 0 { close(file) }
    }

    /// Runs until the queue stops; then exports what is left.
    func run(_ queue: TelemetryQueue) {
        let exporting = configuration.isActive
        var now = SystemClock.monotonicMilliseconds()
        var nextSpans = now + configuration.spanDelayMilliseconds
        var nextMetrics = now + configuration.metricIntervalMilliseconds
        var nextCheckpoint = checkpoints.map { now + $0.intervalMilliseconds } ?? .max
        var buffer: [TelemetryEvent] = []
        while true {
            var wake = min(now + Self.drainMilliseconds, nextCheckpoint)
            if exporting { wake = min(wake, nextSpans, nextMetrics) }
            let (dropped, stopping) = queue.take(until: wake, into: &buffer)
            assembler.countDrops(dropped, signal: "events", reason: .queueFull)
            if dropped > 0 { statistics.update { $0.droppedEvents += dropped } }
            for event in buffer {
                collect(assembler.take(event))
                // A full batch goes at once, so a long drain never holds more spans than are kept.
                if exporting && spans.count >= configuration.maxSpansPerExport { exportSpans(final: stopping) }
            }
            now = SystemClock.monotonicMilliseconds()
            if exporting && (stopping || now >= nextSpans) {
                exportSpans(final: stopping)
                nextSpans = now + configuration.spanDelayMilliseconds
            }
            if exporting && (stopping || now >= nextMetrics) {
                exportMetrics(final: stopping)
                nextMetrics = SystemClock.monotonicMilliseconds() + configuration.metricIntervalMilliseconds
            }
            if stopping || now >= nextCheckpoint {
                checkpoint(final: stopping)
                nextCheckpoint = checkpoints.map { SystemClock.monotonicMilliseconds() + $0.intervalMilliseconds } ?? .max
            }
            if stopping { return }
            now = SystemClock.monotonicMilliseconds()
        }
    }

    /// Keeps finished spans for export, within ``TelemetryConfiguration/maxSpansWaiting``.
    private func collect(_ finished: [SpanRecord]) {
        guard !finished.isEmpty else { return }
        let room = max(0, configuration.maxSpansWaiting - spans.count)
        if finished.count > room {
            assembler.countDrops(UInt64(finished.count - room), signal: "traces", reason: .bufferFull)
            statistics.update { $0.droppedSpans += UInt64(finished.count - room) }
        }
        spans += finished.prefix(room)
    }

    private func exportSpans(final: Bool) {
        while !spans.isEmpty {
            let batch = Array(spans.prefix(configuration.maxSpansPerExport))
            spans.removeFirst(batch.count)
            var writer = OTLPWriter()
            writer.traces(batch, resource: resource, scope: scope)
            let sent = send(.traces, writer.json.bytes, items: UInt64(batch.count), final: final)
            statistics.update { sent ? ($0.exportedSpans += UInt64(batch.count)) : ($0.droppedSpans += UInt64(batch.count)) }
        }
    }

    private func exportMetrics(final: Bool) {
        var writer = OTLPWriter()
        writer.metrics(assembler.metrics, now: SystemClock.wallNanoseconds(), resource: resource, scope: scope)
        send(.metrics, writer.json.bytes, items: 1, final: final)
    }

    /// Takes a checkpoint of the audit log (when the chain moved, and always at the end): to
    /// the checkpoint file, then to the collector as a log record.
    private func checkpoint(final: Bool) {
        guard let checkpoints, let checkpoint = checkpoints.log.checkpoint(), final || checkpoint.seq != lastCheckpointSeq else { return }
        lastCheckpointSeq = checkpoint.seq
        if let path = checkpoints.file { append(checkpoint.line, toCheckpointFile: path) }
        guard configuration.isActive else { return }
        var writer = OTLPWriter()
        writer.checkpoints([(checkpoint, SystemClock.wallNanoseconds())], log: checkpoints.log.path, resource: resource, scope: scope)
        send(.logs, writer.json.bytes, items: 1, final: final)
    }

    private func append(_ line: [UInt8], toCheckpointFile path: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        let written = descriptor >= 0 && line.withUnsafeBytes { writeAll(descriptor, $0) } && fsync(descriptor) == 0
        let problem = written ? nil : String(cString: strerror(errno))
        if descriptor >= 0 { close(descriptor) }
        if let problem { diagnostics.report("audit: cannot write a checkpoint to \(path): \(problem)") }
    }

    /// Sends one request body to the signal's endpoint and the file; counts what is lost.
    /// Returns whether it reached the endpoint (or, without one, the file).
    @discardableResult
    private func send(_ signal: TelemetrySignal, _ body: [UInt8], items: UInt64, final: Bool) -> Bool {
        var written = false
        if file >= 0 {
            written = (body + [0x0A]).withUnsafeBytes { writeAll(file, $0) }
            if !written && !fileFailed { diagnostics.report("telemetry: cannot write to \(configuration.file ?? "the file"): \(String(cString: strerror(errno)))") }
            fileFailed = !written
        }
        guard let endpoint = endpoint(of: signal) else { return written }
        let now = SystemClock.monotonicMilliseconds()
        // At the end, a paused endpoint gets one more try (not one per batch: each could wait the
        // whole timeout, and the metrics would never be written).
        if var failure = failing[signal], now < failure.until, !final || failure.failedAtEnd {
            failure.dropped += items
            failing[signal] = failure
            assembler.countDrops(items, signal: signal.rawValue, reason: .exportFailed)
            return false
        }
        let client = clients[signal] ?? HTTPClient(host: endpoint.host, port: endpoint.port)
        clients[signal] = client
        let timeout = final ? min(configuration.timeoutMilliseconds, Self.finalExportMilliseconds) : configuration.timeoutMilliseconds
        switch client.post(path: endpoint.path, hostHeader: endpoint.hostHeader, contentType: "application/json",
                           headers: configuration.headers, body: body, timeoutMilliseconds: timeout) {
        case .success:
            if let failure = failing.removeValue(forKey: signal) {
                diagnostics.report("telemetry: \(signal.rawValue) reach \(endpoint.url) again (\(failure.dropped) \(signal.unit) dropped meanwhile)")
            }
            return true
        case .failure(let problem):
            assembler.countDrops(items, signal: signal.rawValue, reason: .exportFailed)
            var failure = failing[signal] ?? Failing(until: 0, pause: 500)
            if failing[signal] == nil {
                diagnostics.report("telemetry: cannot export \(signal.rawValue) to \(endpoint.url): \(problem); dropping them (counted) until it answers")
            }
            failure.pause = min(failure.pause * 2, Self.maxBackoffMilliseconds)
            failure.until = SystemClock.monotonicMilliseconds() + failure.pause
            failure.dropped += items
            failure.failedAtEnd = final
            failing[signal] = failure
            return false
        }
    }

    private func endpoint(of signal: TelemetrySignal) -> OTLPEndpoint? {
        switch signal {
        case .traces: configuration.tracesEndpoint
        case .metrics: configuration.metricsEndpoint
        case .logs: configuration.logsEndpoint
        }
    }
}
