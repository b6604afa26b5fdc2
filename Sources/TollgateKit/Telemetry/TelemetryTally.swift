import Synchronization

/// ``TelemetryStatistics`` shared between the exporter thread, which counts, and whoever asks.
final class TelemetryTally: Sendable {
    private let state = Mutex(TelemetryStatistics())

    /// Changes the counts.
    func update(_ body: (inout TelemetryStatistics) -> Void) {
        state.withLock { body(&$0) }
    }

    /// The counts now.
    var current: TelemetryStatistics { state.withLock { $0 } }
}
