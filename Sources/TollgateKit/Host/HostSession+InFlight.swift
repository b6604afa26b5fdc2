/// What is in flight, in one place: the client's requests a child has (``IDMap``, Tollgate's own
/// requests among them), the calls held for approval, the timed-out requests awaiting their late
/// answer, and the requests waiting for anything else (``WaitingRequests``). The limits count
/// them, an id is checked against them, and a refused call is forgotten from them, here only.
extension HostSession {
    /// The client's requests in flight, and what keeping them costs (see
    /// ``PeerLimits/requestsInFlight``).
    public var requestsInFlight: (count: Int, bytes: Int) {
        (ids.childBoundCount + approvals.held.count + timers.lateResponses + waiting.count,
         ids.childBoundBytes + approvals.heldBytes + timers.lateResponseBytes + waiting.bytes)
    }

    /// The refusal of a client request over the in-flight limits (nil: it may go on).
    func overload(_ id: RequestID, method: String, adding cost: Int) -> (reply: [UInt8], log: String)? {
        let (count, bytes) = requestsInFlight
        guard let error = limits.refusal(inFlight: count, bytes: bytes, adding: cost) else { return nil }
        return (Reply.error(id: id.bytes, error), JSONRPCError.refusalLog(method, request: id, error))
    }

    /// Whether a client request with `id` is in flight still (then another may not take its id).
    func isInUse(_ id: RequestID) -> Bool {
        ids.isInFlight(clientID: id) || approvals.held[id] != nil || waiting.holds(id)
    }

    /// Forgets a refused call wherever it is: forwarded (its line taken out, its id and timer
    /// dropped), waiting for its child's start, or held for approval (its elicitation cancelled,
    /// its approver not started). False when it is no longer in flight.
    mutating func forget(_ id: RequestID, in actions: inout HostActions) -> Bool {
        if let (_, sent) = ids.cancellation(ofClientID: id) {
            _ = ids.take(id: sent)
            if callTimeouts.removeValue(forKey: sent) != nil { timers.remove(.request(sent)) }
            _ = actions.takeOut(call: id)
            return true
        }
        return waiting.withdraw(call: id) || approvals.withdraw(id, toClient: &actions.toClient, approvers: &actions.approvers, timers: &timers)
    }
}
