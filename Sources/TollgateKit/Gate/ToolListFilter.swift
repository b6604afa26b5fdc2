/// What a gate made of one page of a `tools/list` result.
public struct ToolListFilter: Sendable, Equatable {
    /// The page to send the client instead of the server's; nil leaves it unchanged.
    public var result: JSONObject?
    /// Whether tools the client got on an earlier page were withdrawn since (a name listed there
    /// came again): the client should be told to list the tools again.
    public var listAgain: Bool

    /// A page rewritten (or not, with nil) and whether the client should list again.
    public init(result: JSONObject? = nil, listAgain: Bool = false) {
        self.result = result
        self.listAgain = listAgain
    }
}
