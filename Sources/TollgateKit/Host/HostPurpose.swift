/// What the answer to a request an aggregating gate sent a child is for.
public enum HostPurpose: Sendable {
    /// Tollgate's own `initialize` of the child.
    case initialize
    /// Tollgate's own `server/discover` of a child that refused `initialize`.
    case discover
    /// Tollgate's own `tools/list` (one page of a listing).
    case listTools
    /// Tollgate's own listing of resources, resource templates or prompts (one page).
    case listCatalog(HostCatalog)
    /// A request Tollgate sent on its own account whose answer is only logged (for example
    /// `logging/setLevel` passed on to every child).
    case own(method: String)
    /// A client request other than `tools/call`, by method: the answer goes to the client.
    case clientRequest(method: String)
    /// A client's `tools/call` (its name as the agent sees it): the answer goes to the client,
    /// and the gate learns the outcome.
    indirect case toolCall(ToolCall)
}
