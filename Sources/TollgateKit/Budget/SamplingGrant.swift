/// A sampling request's share of `budgets.samplingTokens`: its `maxTokens`, possibly lowered to
/// the per-request cap and to what is left, counted in full until it is settled.
public struct SamplingGrant: Sendable, Hashable {
    /// The `maxTokens` the server asked for.
    public let requested: Int64
    /// The `maxTokens` to forward to the client (at most `requested`).
    public let maxTokens: Int64
    /// When it was granted.
    public let time: Int64

    /// Whether `maxTokens` must be rewritten in the request.
    public var isLowered: Bool { maxTokens < requested }
}
