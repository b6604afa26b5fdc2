/// The clocks a gate reads: monotonic milliseconds for rate limits (immune to clock changes) and
/// wall-clock milliseconds since the Unix epoch for budgets (windows and a shared ledger need a
/// time every process agrees on). Injected, so tests need no sleeps.
public struct GateClock: Sendable {
    /// Monotonic milliseconds (any origin).
    public var monotonicMilliseconds: @Sendable () -> Int64
    /// Milliseconds since the Unix epoch.
    public var wallMilliseconds: @Sendable () -> Int64

    /// Creates a clock from two readings.
    public init(monotonicMilliseconds: @escaping @Sendable () -> Int64, wallMilliseconds: @escaping @Sendable () -> Int64) {
        self.monotonicMilliseconds = monotonicMilliseconds
        self.wallMilliseconds = wallMilliseconds
    }

    /// The system's clocks (`CLOCK_MONOTONIC`, `CLOCK_REALTIME`).
    public static let system = GateClock(
        monotonicMilliseconds: { SystemClock.monotonicMilliseconds() },
        wallMilliseconds: { SystemClock.wallMilliseconds() })
}
