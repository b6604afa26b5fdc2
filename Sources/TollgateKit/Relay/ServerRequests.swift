/// The server's requests to the client that wait for the client's answer (the server's own id
/// space): a client response reaches the server only as the answer to one of these, once.
struct ServerRequests: Sendable {
    /// The most requests a server may have waiting on the client at once; beyond, its requests
    /// are refused (a server cannot grow Tollgate's memory without bound).
    static let limit = 4096

    private var waiting: Set<RequestID> = []

    /// The number of requests waiting.
    var count: Int { waiting.count }

    /// The refusal of a new server request, sent back to the server: its id is already waiting
    /// for an answer, or too many are.
    func refusal(of id: RequestID) -> RelayActions? {
        if waiting.contains(id) {
            return RelayActions(reply: Reply.error(id: id.bytes, JSONRPCError(.invalidRequest, "Invalid Request: id \(id) is already in use by a request of yours in flight")),
                                log: "refused a server request reusing the id \(id) of one still in flight")
        }
        if waiting.count >= Self.limit {
            return RelayActions(reply: Reply.error(id: id.bytes, JSONRPCError(.internalError, "Tollgate: more than \(Self.limit) of your requests wait for the client; refused")),
                                log: "refused a server request: \(Self.limit) already wait for the client")
        }
        return nil
    }

    /// Records a request forwarded to the client.
    mutating func insert(_ id: RequestID) { waiting.insert(id) }

    /// Takes the request an answer with `id` is for: the id as the server wrote it, or nil when
    /// no request with an equal id waits.
    mutating func answer(_ id: RequestID) -> RequestID? { waiting.remove(id) }
}
