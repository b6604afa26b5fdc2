#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with a condition variable (POSIX) whose timed waits use the monotonic clock: how one
/// thread waits for another's work or hands work to it (the effects owner, the stderr writer,
/// the telemetry exporter). No Foundation, which would cost every process megabytes and
/// start-up time.
final class Condition: @unchecked Sendable {
    // Allocated once and never moved: pthread objects must keep their address.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the mutex held.
    func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits (the mutex locked; it is locked again on return) until woken; may wake spuriously.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits like ``wait()`` until woken or `deadline` (monotonic milliseconds); false when the
    /// deadline passed.
    func wait(untilMilliseconds deadline: Int64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1000), tv_nsec: Int(deadline % 1000) * 1_000_000)
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    /// Wakes one waiter (call it with the mutex held).
    func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter (call it with the mutex held).
    func broadcast() { pthread_cond_broadcast(condition) }
}
