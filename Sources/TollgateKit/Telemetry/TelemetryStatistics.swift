/// What the exporter did so far, for benchmarks and tests (the collector learns the same through
/// `tollgate.telemetry.dropped`).
public struct TelemetryStatistics: Sendable, Equatable {
    /// Spans a collector (or the file) accepted.
    public var exportedSpans: UInt64 = 0
    /// Events the queue could not take (the exporter was behind or stuck).
    public var droppedEvents: UInt64 = 0
    /// Spans dropped after they were made (too many waiting, or a failed export).
    public var droppedSpans: UInt64 = 0

    public init() {}
}
