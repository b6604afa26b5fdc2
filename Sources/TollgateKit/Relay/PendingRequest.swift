/// A request the client sent that the server has not answered yet, and what to do with the answer.
public struct PendingRequest: Sendable {
    /// What the answer is for.
    public enum Purpose: Sendable {
        /// A forwarded tool call; the gate learns its outcome.
        indirect case toolCall(ToolCall)
        /// A tool call forwarded without inspection (no manifest): its name and era.
        case uninspectedToolCall(ToolCallHeader)
        /// A `tools/list`, with its cursor as compact JSON (nil: the first page; also when the
        /// gate does not look at lists); the gate may filter the result.
        case toolList(cursor: [UInt8]?)
        /// Any other request, by method.
        case other(String)
    }

    /// The id as the client wrote it.
    public var clientID: RequestID
    /// What the answer is for.
    public var purpose: Purpose
    /// How long the server has to answer (a timer is set), if limited.
    public var timeout: CallTimeout?

    public init(clientID: RequestID, purpose: Purpose, timeout: CallTimeout? = nil) {
        self.clientID = clientID
        self.purpose = purpose
        self.timeout = timeout
    }

    /// What keeping the request costs, as ``PeerLimits/requestBytesInFlight`` counts it: its id
    /// and its message for a tool call (kept whole), else its id and the name it is kept by.
    public var retainedBytes: Int {
        switch purpose {
        case .toolCall(let call): clientID.byteCount + call.messageBytes
        case .uninspectedToolCall(let header): clientID.byteCount + header.name.utf8.count
        case .toolList: clientID.byteCount
        case .other(let method): clientID.byteCount + method.utf8.count
        }
    }

    /// The method of the request.
    public var method: String {
        switch purpose {
        case .toolCall, .uninspectedToolCall: "tools/call"
        case .toolList: "tools/list"
        case .other(let method): method
        }
    }

    private func unansweredToolCall(_ name: String, era: ProtocolEra, because reason: String) -> [UInt8] {
        let denial = Denial(.serverUnavailable, tool: name, reason: reason,
                            advice: "The call may not have run; retry later if it is safe to repeat.")
        return Reply.result(id: clientID.bytes, denial.result(era: era))
    }

    /// The answer the client gets when the server can no longer answer: a `tools/call` gets a
    /// tool result with `isError: true` (the model sees it), anything else a JSON-RPC error.
    public func unansweredReply(because reason: String) -> [UInt8] {
        switch purpose {
        case .toolCall(let call):
            return unansweredToolCall(call.name, era: call.era, because: reason)
        case .uninspectedToolCall(let header):
            return unansweredToolCall(header.name, era: header.era, because: reason)
        case .toolList, .other:
            return Reply.error(id: clientID.bytes, JSONRPCError(.internalError, reason))
        }
    }
}
