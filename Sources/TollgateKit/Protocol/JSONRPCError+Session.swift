/// The errors a session answers a peer's message with, for one server or several, and the
/// lines on stderr that go with them: each written once.
extension JSONRPCError {
    /// A request whose id is already in use by one in flight.
    static func idInUse(_ id: RequestID) -> JSONRPCError {
        JSONRPCError(.invalidRequest, "Invalid Request: id \(id) is already in use by a request in flight")
    }

    /// A message that is not JSON-RPC (`error` says why).
    static func malformed(_ error: some CustomStringConvertible) -> (error: JSONRPCError, log: String) {
        (JSONRPCError(.parseError, "Parse error: \(error)"), "rejected a malformed message from the client: \(error)")
    }

    /// A message over the size limit.
    static func oversized(_ length: Int, limit: Int) -> (error: JSONRPCError, log: String) {
        (JSONRPCError(.invalidRequest, "Invalid Request: message of \(length) bytes exceeds Tollgate's limit of \(limit) bytes"),
         "refused a client message of \(length) bytes (limit \(limit))")
    }

    /// Why a request gets no answer from its server: the answer was over the size limit.
    static func oversizedResponseReason(_ length: Int, limit: Int) -> String {
        "the server's response of \(length) bytes exceeds Tollgate's limit of \(limit) bytes"
    }

    /// The line on stderr of a request refused with `error` (over the in-flight limits).
    static func refusalLog(_ method: String, request id: RequestID, _ error: JSONRPCError) -> String {
        "refused \(method) (request \(id)): \(error.message)"
    }

    /// The line on stderr of a `tools/call` without an id (never forwarded).
    static let callNotificationLog = "dropped a tools/call sent as a notification (no id): it is never forwarded"
}
