/// A rate limit with its burst: `"rate": "30/min"` and an optional `"burst"`.
public struct RateLimit: Sendable, Hashable {
    /// The refill rate.
    public var rate: RateSpec
    /// The bucket's capacity; nil means the rate's count.
    public var burst: Int64?

    /// Creates a rate limit.
    public init(rate: RateSpec, burst: Int64? = nil) {
        self.rate = rate
        self.burst = burst
    }

    /// A full bucket for this limit.
    public func makeBucket() -> TokenBucket { TokenBucket(rate: rate, burst: burst) }
}
