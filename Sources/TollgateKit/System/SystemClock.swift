#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Readings of the system's clocks, in one place.
public enum SystemClock {
    /// Nanoseconds on `clock` (`CLOCK_MONOTONIC`: any origin; `CLOCK_REALTIME`: since the Unix epoch).
    @inline(__always)
    public static func nanoseconds(_ clock: clockid_t) -> Int64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Monotonic nanoseconds.
    public static func monotonicNanoseconds() -> Int64 { nanoseconds(CLOCK_MONOTONIC) }

    /// Nanoseconds since the Unix epoch.
    public static func wallNanoseconds() -> Int64 { nanoseconds(CLOCK_REALTIME) }

    /// Monotonic milliseconds.
    public static func monotonicMilliseconds() -> Int64 { nanoseconds(CLOCK_MONOTONIC) / 1_000_000 }

    /// Monotonic microseconds.
    public static func monotonicMicroseconds() -> Int64 { nanoseconds(CLOCK_MONOTONIC) / 1000 }

    /// Milliseconds since the Unix epoch.
    public static func wallMilliseconds() -> Int64 { nanoseconds(CLOCK_REALTIME) / 1_000_000 }
}
