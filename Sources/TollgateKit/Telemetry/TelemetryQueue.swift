#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bounded queue between the call path and the exporter thread. ``push(_:)`` never waits
/// and makes no system call while the queue is less than half full: it takes an uncontended
/// mutex, appends, and lets go. When the queue is full the event is dropped and counted. The
/// exporter drains it on its own schedule (``take(until:)``), woken early only when the queue
/// fills past half or telemetry stops.
final class TelemetryQueue: @unchecked Sendable {
    // Guarded by `mutex`; `changed` wakes the exporter.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var events: [TelemetryEvent] = []
    private var dropped: UInt64 = 0
    private var stopping = false
    private var woken = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        events.reserveCapacity(capacity)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Queues an event, or drops and counts it when the queue is full (or telemetry stopped).
    func push(_ event: TelemetryEvent) {
        pthread_mutex_lock(mutex)
        if events.count < capacity && !stopping {
            events.append(event)
            if events.count == capacity / 2 && !woken {
                woken = true
                pthread_cond_signal(changed)
            }
        } else {
            dropped += 1
        }
        pthread_mutex_unlock(mutex)
    }

    /// Asks the exporter to finish: later events are dropped.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(changed)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until `deadline` (monotonic milliseconds), the queue filling past half, or
    /// ``stop()``; then swaps the queued events into `buffer` (whose old contents are discarded
    /// and whose storage the queue reuses, so neither side allocates). Returns the events dropped
    /// since the last call, and whether telemetry is stopping.
    func take(until deadline: Int64, into buffer: inout [TelemetryEvent]) -> (dropped: UInt64, stopping: Bool) {
        buffer.removeAll(keepingCapacity: true)
        if buffer.capacity < capacity { buffer.reserveCapacity(capacity) }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var time = timespec(tv_sec: Int(deadline / 1000), tv_nsec: Int(deadline % 1000) * 1_000_000)
        while !woken && !stopping && SystemClock.monotonicMilliseconds() < deadline {
            if pthread_cond_timedwait(changed, mutex, &time) == ETIMEDOUT { break }
        }
        woken = false
        swap(&events, &buffer)
        let count = dropped
        dropped = 0
        return (count, stopping)
    }
}
