extension RelaySession {
    // MARK: - Server to client

    /// Reads and decides one line from the server (without its newline); `now` as in
    /// ``clientLine(_:now:)``.
    public mutating func serverLine(_ line: UnsafeRawBufferPointer, now: Int64 = 0) -> RelayActions {
        decide(ServerLine.read(line, maxDepth: maxDepth), in: line, now: now)
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
            return .passThrough
        case .request(let id, let method, let params):
            if holdsCalls, let refusal = collidingServerRequest(id: id) { return refusal }
            if let refusal = serverRequests.refusal(of: id, method: method, limits: limits) { return refusal }
            let actions = capsSampling ? serverRequest(id: id, method: method, params: params, in: line) : .passThrough
            if actions.forward != nil { serverRequests.insert(id) }
            return actions
        case .response(let id, let idSpan, let resultRange, let errorRange):
            return serverResponse(id: id, idSpan: idSpan, result: resultRange, error: errorRange, in: line, now: now)
        case .batch(let elements, let spans):
            return decideBatch(elements, spans: spans, in: line, now: now)
        }
    }

    /// A response: delivered only to a request in flight with an equal id, under the client's
    /// own id bytes; anything else is dropped (the request, if any, stays in flight).
    private mutating func serverResponse(id: RequestID?, idSpan: Range<Int>?, result resultRange: Range<Int>?, error errorRange: Range<Int>?,
                                         in line: UnsafeRawBufferPointer, now: Int64) -> RelayActions {
        guard let id, let request = take(id, now: now) else {
            if usesTimers, let id, timers.remove(.lateResponse(id)) != nil {
                gate.note(.droppedResponse)
                return RelayActions(log: "dropped the late response to request \(id), which had timed out")
            }
            let shown = idSpan.map { String(decoding: UnsafeRawBufferPointer(rebasing: line[$0]), as: UTF8.self) } ?? "null"
            gate.note(.droppedResponse)
            return RelayActions(log: "dropped a response from the server to id \(shown), which no request in flight has")
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
        } else if case .toolList(let cursor) = request.purpose, gate.inspectsToolLists, let resultRange,
            case .object(let result)? = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[resultRange]), maxDepth: maxDepth)
        {
            let filter = gate.filterToolList(result, cursor: cursor)
            if filter.result != nil || filter.listAgain {
                var bytes: [UInt8]
                if let filtered = filter.result {
                    bytes = Reply.result(id: request.clientID.bytes, .object(filtered))
                } else if let idSpan, let respelled = Self.respelled(line, span: 0..<line.count, idSpan: idSpan, as: request.clientID) {
                    bytes = respelled + [0x0A]
                } else {
                    bytes = Array(line) + [0x0A]
                }
                // Tools the client got on an earlier page were withdrawn: it lists again.
                if filter.listAgain { bytes += Reply.notification(method: "notifications/tools/list_changed", params: nil) }
                return RelayActions(forward: .bytes(bytes))
            }
        }
        return Self.passing(line, idSpan: idSpan, as: request.clientID)
    }

    /// Passes a message on, with `id`'s exact bytes in place of the id at `idSpan` when the
    /// sender spelled an equal id differently.
    static func passing(_ line: UnsafeRawBufferPointer, idSpan: Range<Int>?, as id: RequestID) -> RelayActions {
        guard let idSpan, let bytes = respelled(line, span: 0..<line.count, idSpan: idSpan, as: id) else { return .passThrough }
        return RelayActions(forward: .bytes(bytes + [0x0A]))
    }

    /// A server batch (2025-03-26): every element is decided exactly as it would be alone.
    /// Elements passed unchanged keep their bytes; if every one does, the line goes on as it
    /// came. Tollgate's own answers to the server's requests go back as a batch of their own.
    private mutating func decideBatch(_ elements: [ServerLine], spans: [Range<Int>], in line: UnsafeRawBufferPointer, now: Int64) -> RelayActions {
        guard !elements.isEmpty else { return RelayActions(log: "dropped an empty batch from the server") }
        var batch = BatchOutcome()
        for (element, span) in zip(elements, spans) {
            let actions = decide(element, in: line, now: now)
            switch actions.forward {
            case .original?: batch.keep(Array(line[span]))
            case .bytes(let bytes)?:
                // Tollgate's own lines never hold a raw newline inside a message: one element each.
                for element in bytes.split(separator: 0x0A) { batch.forward(Array(element)) }
            case .call?, .batch?, nil: batch.drop()
            }
            if let reply = actions.reply { batch.reply(reply) }
            batch.log(actions.log)
        }
        return batch.actions
    }

    /// The server answered `id` with a response too large to read: the request gets its answer
    /// (returned as a line for the client), and the gate learns the call failed.
    mutating func oversizedResponse(to id: RequestID, length: Int, limit: Int, now: Int64 = 0) -> [UInt8]? {
        guard let request = take(id, now: now) else { return nil }
        completed(request, outcome: .error(code: JSONRPCError.Code.internalError.rawValue))
        return request.unansweredReply(because: JSONRPCError.oversizedResponseReason(length, limit: limit))
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
        serverRequests = ServerRequests()
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
