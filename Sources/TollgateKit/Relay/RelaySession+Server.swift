extension RelaySession {
    // MARK: - Server to client

    /// Reads and decides one line from the server (without its newline); `now` as in
    /// ``clientLine(_:now:)``.
    public mutating func serverLine(_ line: UnsafeRawBufferPointer, now: Int64 = 0) -> RelayActions {
        decide(ServerLine.read(line, maxDepth: maxDepth, readingRequests: capsSampling), in: line, now: now)
    }

    /// Decides a server line already read. `line` is the line it was read from.
    public mutating func decide(_ read: ServerLine, in line: UnsafeRawBufferPointer, now: Int64 = 0) -> RelayActions {
        switch read {
        case .blank:
            return RelayActions()
        case .malformed(let id, let error):
            var actions = RelayActions(log: "dropped a malformed message from the server: \(error)")
            if let id, let request = take(id, now: now) {
                actions.forward = .bytes(request.unansweredReply(because: "the server's response was not valid JSON (\(error))"))
                completed(request, outcome: .error(code: JSONRPCError.Code.internalError.rawValue))
            }
            return actions
        case .invalid(let why):
            return RelayActions(log: "dropped an invalid message from the server: \(why)")
        case .message:
            if holdsCalls, !approvals.requests.isEmpty, let refusal = collidingServerRequest(line) { return refusal }
            return .passThrough
        case .request(let id, let method, let params):
            if holdsCalls, let refusal = collidingServerRequest(id: id) { return refusal }
            return serverRequest(id: id, method: method, params: params, in: line)
        case .response(let id, let resultRange, let errorRange):
            guard let id, let request = take(id, now: now) else {
                if usesTimers, let id, timers.remove(.lateResponse(id)) != nil {
                    return RelayActions(log: "dropped the late response to request \(id), which had timed out")
                }
                return RelayActions(forward: .original, log: "relayed a response to an id Tollgate does not know")
            }
            if case .toolCall(let call) = request.purpose, gate.observesOutcomes {
                let outcome = ServerLine.outcome(result: resultRange, error: errorRange, in: line)
                var result: JSONObject?
                if gate.inspectsResults, let resultRange,
                    case .object(let object)? = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[resultRange]), maxDepth: maxDepth)
                {
                    result = object
                }
                if let replacement = gate.callCompleted(call, outcome: outcome, result: result) {
                    return RelayActions(forward: .bytes(Reply.result(id: request.clientID.bytes, .object(replacement))))
                }
                return .passThrough
            }
            if case .toolList = request.purpose, gate.inspectsToolLists, let resultRange,
                case .object(let result)? = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[resultRange]), maxDepth: maxDepth),
                let filtered = gate.filterToolList(result)
            {
                return RelayActions(forward: .bytes(Reply.result(id: request.clientID.bytes, .object(filtered))))
            }
            return .passThrough
        case .batch(let responses):
            for (id, outcome) in responses {
                if let request = take(id, now: now) { completed(request, outcome: outcome) }
            }
            return .passThrough
        }
    }

    /// The server answered `id` with a response too large to read: the request gets its answer
    /// (returned as a line for the client), and the gate learns the call failed.
    mutating func oversizedResponse(to id: RequestID, length: Int, limit: Int, now: Int64 = 0) -> [UInt8]? {
        guard let request = take(id, now: now) else { return nil }
        completed(request, outcome: .error(code: JSONRPCError.Code.internalError.rawValue))
        return request.unansweredReply(because: "the server's response of \(length) bytes exceeds Tollgate's limit of \(limit) bytes")
    }

    private mutating func completed(_ request: PendingRequest, outcome: CallOutcome) {
        if case .toolCall(let call) = request.purpose {
            _ = gate.callCompleted(call, outcome: outcome, result: nil)
        }
    }

    /// The server can no longer answer: every pending request gets its answer now (returned as
    /// lines for the client), and later requests are answered at once.
    public mutating func serverWentAway(because reason: String) -> [UInt8] {
        if serverGoneReason == nil { serverGoneReason = reason }
        samplingGrants.removeAll()  // unanswered grants stay counted in full
        samplingGrantBytes = 0
        var replies: [UInt8] = []
        for request in pending.removeAll() {
            if usesTimers { timers.remove(.request(request.clientID)) }
            replies.append(contentsOf: request.unansweredReply(because: reason))
            completed(request, outcome: .serverGone)
        }
        if holdsCalls && !approvals.isEmpty { replies += abandonHeldCalls(because: reason) }
        return replies
    }
}
