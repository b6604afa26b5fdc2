/// Sampling caps: a server's `sampling/createMessage` is decided by the gate before the client
/// sees it, and settled on the client's answer. Only read when the gate caps sampling.
extension RelaySession {
    /// The error code of a refused sampling request (the one MCP gives a user's rejection).
    static let samplingRefusedCode = -1

    /// A request from the server: a `sampling/createMessage` is decided; anything else passes.
    mutating func serverRequest(id: RequestID, method: String, params: Range<Int>?, in line: UnsafeRawBufferPointer) -> RelayActions {
        guard method == "sampling/createMessage" else { return .passThrough }
        if samplingGrants.count >= limits.serverRequestsInFlight || samplingGrantBytes + id.byteCount > limits.serverRequestBytesInFlight {
            var error = JSONRPCError(.invalidRequest, "Tollgate: too many sampling requests wait for the client (at most \(limits.serverRequestsInFlight)); this one was not forwarded")
            error.code = Self.samplingRefusedCode
            return RelayActions(reply: Reply.error(id: id.bytes, error), log: "refused the server's sampling/createMessage: \(samplingGrants.count) already wait for the client")
        }
        let object = params.flatMap { try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[$0]), maxDepth: maxDepth) }?.objectValue
        switch gate.admitSampling(maxTokens: SamplingRequest.maxTokens(in: object)) {
        case .forward(let grant):
            if let grant, samplingGrants.updateValue(grant, forKey: id) == nil { samplingGrantBytes += id.byteCount }
            return .passThrough
        case .refuse(let error, let log):
            return RelayActions(reply: Reply.error(id: id.bytes, error), log: log)
        }
    }
}
