/// A request the client sent that the server has not answered yet, and what to do with the answer.
public struct PendingRequest: Sendable {
    /// What the answer is for.
    public enum Purpose: Sendable {
        /// A forwarded tool call; the gate learns its outcome.
        case toolCall(ToolCall)
        /// A `tools/list`; the gate may filter the result.
        case toolList
        /// Any other request, by method.
        case other(String)
    }

    /// The id as the client wrote it.
    public var clientID: RequestID
    /// What the answer is for.
    public var purpose: Purpose

    public init(clientID: RequestID, purpose: Purpose) {
        self.clientID = clientID
        self.purpose = purpose
    }

    /// The method of the request.
    public var method: String {
        switch purpose {
        case .toolCall: "tools/call"
        case .toolList: "tools/list"
        case .other(let method): method
        }
    }

    /// The answer the client gets when the server can no longer answer: a `tools/call` gets a
    /// tool result with `isError: true` (the model sees it), anything else a JSON-RPC error.
    public func unansweredReply(because reason: String) -> [UInt8] {
        switch purpose {
        case .toolCall(let call):
            let denial = Denial(.serverUnavailable, tool: call.name, reason: reason,
                                advice: "The call may not have run; retry later if it is safe to repeat.")
            return Reply.result(id: clientID.bytes, denial.result(era: call.era))
        case .toolList, .other:
            return Reply.error(id: clientID.bytes, JSONRPCError(.internalError, reason))
        }
    }
}
