/// Sampling caps: a server's `sampling/createMessage` is decided by the gate before the client
/// sees it, and settled on the client's answer. Only read when the gate caps sampling.
extension RelaySession {
    /// The error code of a refused sampling request (the one MCP gives a user's rejection).
    static let samplingRefusedCode = -1

    /// A request from the server: a `sampling/createMessage` is decided; anything else passes.
    mutating func serverRequest(id: RequestID, method: String, params: Range<Int>?, in line: UnsafeRawBufferPointer) -> RelayActions {
        guard method.hasSameScalars(as: "sampling/createMessage") else { return .passThrough }
        let object = params.flatMap { try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[$0]), maxDepth: maxDepth) }?.objectValue
        switch gate.admitSampling(maxTokens: SamplingRequest.maxTokens(in: object)) {
        case .forward(let grant):
            if let grant { samplingGrants[id] = grant }
            return .passThrough
        case .refuse(let error, let log):
            return RelayActions(reply: Reply.error(id: id.bytes, error), log: log)
        }
    }
}
