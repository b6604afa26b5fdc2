/// Sampling caps: a server's `sampling/createMessage` is admitted by the effects (granted in
/// full from the sampling budget, or refused) before the session decides its line
/// (``SamplingAdmissions``), and settled on the client's answer. Only read when the gate caps
/// sampling.
extension RelaySession {
    /// A request from the server: a `sampling/createMessage` goes on as admitted; anything else passes.
    mutating func serverRequest(id: RequestID, method: String, params: Range<Int>?, in line: UnsafeRawBufferPointer) -> RelayActions {
        guard method.hasSameScalars(as: "sampling/createMessage") else { return .passThrough }
        switch samplingAdmissions.take(id) {
        case .forward(let grant):
            if let grant { samplingGrants[id] = grant }
            return .passThrough
        case .refuse(let error, let log):
            return RelayActions(reply: Reply.error(id: id.bytes, error), log: log)
        }
    }

    /// Decides a server line whose sampling requests were admitted (``SamplingAdmissions``);
    /// the grants of requests not forwarded are given back.
    public mutating func decide(_ read: ServerLine, in line: UnsafeRawBufferPointer, admitted: SamplingAdmissions, now: Int64 = 0) -> RelayActions {
        samplingAdmissions = admitted
        defer {
            for grant in samplingAdmissions.takeUnused() { gate.samplingAnswered(grant, tokens: 0) }
        }
        return decide(read, in: line, now: now)
    }
}
