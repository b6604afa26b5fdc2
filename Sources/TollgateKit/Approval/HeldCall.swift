/// A call held for approval, and how its answer will come.
public struct HeldCall: Sendable, Equatable {
    /// How the answer comes.
    public enum Route: Sendable, Equatable {
        /// The client answers Tollgate's `elicitation/create` request of this id.
        case elicitation(RequestID)
        /// A local approver runs with this token.
        case command(token: Int, command: [String])
    }

    /// The checked call; it is forwarded exactly as checked when approved.
    public var call: ToolCall
    /// What the gate asked for.
    public var hold: ApprovalHold
    /// How the answer comes.
    public var route: Route
}
