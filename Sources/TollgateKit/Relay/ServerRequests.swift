/// The server's requests to the client that wait for the client's answer (the server's own id
/// space): a client response reaches the server only as the answer to one of these, once.
/// Bounded by ``PeerLimits/serverRequestsInFlight`` and ``PeerLimits/serverRequestBytesInFlight``.
struct ServerRequests: Sendable {
    private var waiting: Set<RequestID> = []
    /// The bytes of the waiting requests' ids.
    private(set) var bytes = 0

    /// The number of requests waiting.
    var count: Int { waiting.count }

    /// The refusal of a new server request, sent back to the server: its id is already waiting
    /// for an answer, or too many are (a refused `sampling/createMessage` gets MCP's rejection
    /// code, -1, as a refusal by the gate's sampling caps does).
    func refusal(of id: RequestID, method: String, limits: PeerLimits) -> RelayActions? {
        if waiting.contains(id) {
            return RelayActions(reply: Reply.error(id: id.bytes, JSONRPCError(.invalidRequest, "Invalid Request: id \(id) is already in use by a request of yours in flight")),
                                log: "refused a server request reusing the id \(id) of one still in flight")
        }
        guard waiting.count >= limits.serverRequestsInFlight || bytes + id.byteCount > limits.serverRequestBytesInFlight else { return nil }
        var error = JSONRPCError(.internalError, "Tollgate: too many of your requests wait for the client (at most \(limits.serverRequestsInFlight)); this one was not forwarded")
        if method.hasSameScalars(as: "sampling/createMessage") { error.code = SamplingRequest.refusedCode }
        return RelayActions(reply: Reply.error(id: id.bytes, error), log: "refused the server's \(method): \(waiting.count) of its requests already wait for the client")
    }

    /// Records a request forwarded to the client.
    mutating func insert(_ id: RequestID) {
        if waiting.insert(id).inserted { bytes += id.byteCount }
    }

    /// Takes the request an answer with `id` is for: the id as the server wrote it, or nil when
    /// no request with an equal id waits.
    mutating func answer(_ id: RequestID) -> RequestID? {
        guard let sent = waiting.remove(id) else { return nil }
        bytes -= sent.byteCount
        return sent
    }
}
