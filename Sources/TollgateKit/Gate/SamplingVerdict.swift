/// What the effects decided about a server's `sampling/createMessage`
/// (``CallEffects/admitSampling(maxTokens:monitoring:)``).
public enum SamplingVerdict: Sendable, Equatable {
    /// Forward it to the client as it is; the grant (if the budgets keep one) is settled on the
    /// client's answer.
    case forward(SamplingGrant?)
    /// Answer the server with this JSON-RPC error; the client never sees the request.
    case refuse(JSONRPCError, log: String)
}
