/// A token bucket as a pure value: ``RateSpec/count`` tokens flow in per ``RateSpec/intervalMs``
/// up to ``capacity`` (the burst), and each call takes one. Time is passed in by the caller as
/// monotonic milliseconds, so tests need no clock and no sleeps.
///
/// The arithmetic is exact: the level is kept as an integer in units of 1/`intervalMs` token, and
/// every elapsed millisecond adds `count` units, so `30/min` refills one token every 2 000 ms
/// and `7/s` exactly 7 tokens per 1 000 ms, with no rounding drift however long it runs.
/// ``Result/limited(retryAfterMs:)`` is exact too: at `now + retryAfterMs` a call is allowed,
/// one millisecond earlier it is not. A bucket starts full; time that goes backwards adds nothing.
public struct TokenBucket: Sendable, Equatable {
    /// What a call gets.
    public enum Result: Sendable, Equatable {
        /// A token was available (``take(now:)`` took it).
        case allowed
        /// No token: one will be available in this many milliseconds (at least 1).
        case limited(retryAfterMs: Int64)
    }

    /// The refill rate.
    public let rate: RateSpec
    /// The most tokens the bucket holds: calls that may run back to back after a quiet period.
    public let capacity: Int64
    /// The level in units of 1/`rate.intervalMs` token.
    private var units: Int64
    /// When ``units`` was last brought up to date (nil: never used, full).
    private var updatedAt: Int64?

    /// Creates a full bucket; `burst` defaults to the rate's count (`30/min` holds 30 tokens).
    public init(rate: RateSpec, burst: Int64? = nil) {
        let capacity = burst ?? rate.count
        precondition(capacity >= 1 && capacity <= RateSpec.maxCount, "burst out of range")
        self.rate = rate
        self.capacity = capacity
        units = capacity * rate.intervalMs
        updatedAt = nil
    }

    /// Whether a call at `now` would be allowed, without taking a token.
    public func check(now: Int64) -> Result {
        let level = level(at: now)
        if level >= rate.intervalMs { return .allowed }
        let missing = rate.intervalMs - level
        return .limited(retryAfterMs: (missing + rate.count - 1) / rate.count)
    }

    /// Takes a token if one is available at `now`.
    public mutating func take(now: Int64) -> Result {
        let result = check(now: now)
        if result == .allowed {
            units = level(at: now) - rate.intervalMs
            updatedAt = max(now, updatedAt ?? now)
        }
        return result
    }

    /// The whole tokens available at `now`.
    public func tokens(now: Int64) -> Int64 { level(at: now) / rate.intervalMs }

    /// The level at `now` in units (exact; never above the capacity).
    private func level(at now: Int64) -> Int64 {
        let full = capacity * rate.intervalMs
        guard let updatedAt, now > updatedAt else { return units }
        let elapsed = now - updatedAt
        let deficit = full - units
        // Compare before multiplying so a long quiet period cannot overflow.
        if elapsed >= (deficit + rate.count - 1) / rate.count { return full }
        return units + elapsed * rate.count
    }
}
