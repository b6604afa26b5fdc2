/// Sampling caps: a server's `sampling/createMessage` is decided by the gate before the client
/// sees it, and settled on the client's answer. Only read when the gate caps sampling.
extension RelaySession {
    /// The error code of a refused sampling request (the one MCP gives a user's rejection).
    static let samplingRefusedCode = -1

    /// A request from the server: a `sampling/createMessage` is decided; anything else passes.
    mutating func serverRequest(id: RequestID, method: String, params: Range<Int>?, in line: UnsafeRawBufferPointer) -> RelayActions {
        guard method == "sampling/createMessage" else { return .passThrough }
        var maxTokens: Int64?
        if let params, let value = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[params]), maxDepth: maxDepth),
            case .number(let text)? = value["maxTokens"]
        {
            maxTokens = Int64(text) ?? Double(text).flatMap { $0 >= 0 && $0 < 9e18 ? Int64($0.rounded(.up)) : nil }
        }
        switch gate.admitSampling(maxTokens: maxTokens) {
        case .forward(let grant):
            if let grant { samplingGrants[id] = grant }
            return .passThrough
        case .refuse(let error, let log):
            return RelayActions(reply: Reply.error(id: id.bytes, error), log: log)
        }
    }
}
