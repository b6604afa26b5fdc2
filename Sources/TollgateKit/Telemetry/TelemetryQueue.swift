/// The bounded queue between the call path and the exporter thread. ``push(_:)`` never waits
/// and makes no system call while the queue is less than half full: it takes an uncontended
/// mutex, appends, and lets go. When the queue is full the event is dropped and counted. The
/// exporter drains it on its own schedule (``take(until:)``), woken early only when the queue
/// fills past half or telemetry stops.
final class TelemetryQueue: @unchecked Sendable {
    // Guarded by `changed`'s mutex; `changed` wakes the exporter.
    private let changed = Condition()
    private var events: [TelemetryEvent] = []
    private var dropped: UInt64 = 0
    private var stopping = false
    private var woken = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        events.reserveCapacity(capacity)
    }

    /// Queues an event, or drops and counts it when the queue is full (or telemetry stopped).
    func push(_ event: TelemetryEvent) {
        changed.locked {
            guard events.count < capacity && !stopping else { return dropped += 1 }
            events.append(event)
            if events.count == capacity / 2 && !woken {
                woken = true
                changed.signal()
            }
        }
    }

    /// Asks the exporter to finish: later events are dropped.
    func stop() {
        changed.locked {
            stopping = true
            changed.signal()
        }
    }

    /// Waits until `deadline` (monotonic milliseconds), the queue filling past half, or
    /// ``stop()``; then swaps the queued events into `buffer` (whose old contents are discarded
    /// and whose storage the queue reuses, so neither side allocates). Returns the events dropped
    /// since the last call, and whether telemetry is stopping.
    func take(until deadline: Int64, into buffer: inout [TelemetryEvent]) -> (dropped: UInt64, stopping: Bool) {
        buffer.removeAll(keepingCapacity: true)
        if buffer.capacity < capacity { buffer.reserveCapacity(capacity) }
        return changed.locked {
            while !woken && !stopping && SystemClock.monotonicMilliseconds() < deadline {
                if !changed.wait(untilMilliseconds: deadline) { break }
            }
            woken = false
            swap(&events, &buffer)
            let count = dropped
            dropped = 0
            return (count, stopping)
        }
    }
}
