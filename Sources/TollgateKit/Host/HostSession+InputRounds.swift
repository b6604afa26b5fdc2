/// A 2026-07-28 child answers a 2025-era client's call with `input_required`: its input requests
/// go to the client as requests (under gate-owned ids, as a 2025-era server's would), and once the
/// client answered them all the call goes to the child again with `inputResponses` and the
/// child's `requestState`, not decided by the gate again. The gate learns only the final outcome.
extension HostSession {
    /// The most rounds of input one call may take (as the official SDKs' drivers allow).
    static let maxInputRounds = 10

    /// A 2025-era client's call whose stateless child asked for input.
    struct InputRound: Sendable {
        var call: ToolCall
        var child: Int
        /// The call's params as the child reads them (without a round's responses).
        var params: JSONObject
        /// The client's progress token of the call.
        var progressToken: JSONValue?
        var requestState: JSONValue?
        /// Input request keys by the id they were recorded under toward the client; empty while
        /// the call is with the child again.
        var awaiting: [RequestID: String] = [:]
        var responses = JSONObject()
        var rounds = 0
    }

    /// When the child's answer to `entry` (a 2025-era client's call) asks for input, asks the
    /// client and returns true.
    mutating func asksSessionClient(_ entry: IDMap<HostPurpose>.Forwarded, _ call: ToolCall, result: JSONObject?, now: Int64,
                                    into actions: inout HostActions) -> Bool {
        guard clientEra != .stateless, children[entry.child].era == .stateless, let result, result["resultType"] == "input_required" else { return false }
        var round = waiting.inputRounds[call.id]
            ?? InputRound(call: call, child: entry.child, params: childCallParams(call, child: entry.child), progressToken: entry.progressToken)
        round.rounds += 1
        round.requestState = result["requestState"]
        round.awaiting = [:]
        round.responses = JSONObject()
        let requests = result["inputRequests"]?.objectValue?.members ?? []
        let problem: String? = if round.rounds > Self.maxInputRounds {
            "asked for input more than \(Self.maxInputRounds) times"
        } else if requests.count > limits.inputsPerParkedCall || ids.clientBoundCount + requests.count > limits.serverRequestsInFlight {
            "asked for \(requests.count) inputs at once, more than Tollgate passes on (at most \(limits.inputsPerParkedCall), and \(limits.serverRequestsInFlight) of all servers)"
        } else {
            nil
        }
        if let problem {
            waiting.inputRounds[call.id] = nil
            settle(call, outcome: .error(code: JSONRPCError.Code.internalError.rawValue))
            actions.sendClient(Reply.error(id: call.id.bytes, JSONRPCError(.internalError, "server \(children[entry.child].name) \(problem)")))
            return true
        }
        for member in requests {
            guard case .string(let method)? = member.value["method"] else { continue }
            let asked = IDMap<HostPurpose>.stringID("tollgate-input-\(nextInputNumber)")
            nextInputNumber += 1
            let sent = ids.forwardToClient(from: entry.child, childID: asked)
            round.awaiting[asked] = member.key
            actions.sendClient(Reply.request(id: sent.id.bytes, method: method, params: member.value["params"]))
        }
        waiting.inputRounds[call.id] = round
        if round.awaiting.isEmpty { retry(call.id, now: now, into: &actions) }  // request state only: at once
        return true
    }

    /// The call's params as child `child` reads them: its own tool name, the stateless envelope.
    private func childCallParams(_ call: ToolCall, child: Int) -> JSONObject {
        var params = call.params
        if let tool = namespace.route(call.name, in: union)?.tool { params["name"] = .string(tool) }
        return childParams(params, for: child) ?? params
    }

    /// The client's answer to a request Tollgate asked it for a call's round (recorded under
    /// `childID`): true when it was one.
    mutating func takesInputAnswer(_ childID: RequestID, result: JSONValue?, error: String?, now: Int64, into actions: inout HostActions) -> Bool {
        guard let clientID = waiting.inputRounds.first(where: { $0.value.awaiting[childID] != nil })?.key,
            let key = waiting.inputRounds[clientID]?.awaiting.removeValue(forKey: childID) else { return false }
        guard let result, error == nil, let round = waiting.inputRounds[clientID] else {
            let round = waiting.inputRounds.removeValue(forKey: clientID)!
            for asked in round.awaiting.keys {
                if let id = ids.cancellation(fromChild: round.child, childID: asked) {
                    actions.sendClient(Reply.cancelled(requestID: id.bytes, reason: "the call it was for has ended"))
                }
            }
            settle(round.call, outcome: .error(code: JSONRPCError.Code.internalError.rawValue))
            actions.sendClient(Reply.error(id: clientID.bytes, JSONRPCError(.internalError,
                "server \(children[round.child].name) needed input the client did not give: \(error ?? "no result")")))
            return true
        }
        waiting.inputRounds[clientID]?.responses[key] = result
        if round.awaiting.isEmpty { retry(clientID, now: now, into: &actions) }
        return true
    }

    /// Sends the call to its child again with the round's responses and request state.
    private mutating func retry(_ clientID: RequestID, now: Int64, into actions: inout HostActions) {
        guard let round = waiting.inputRounds[clientID] else { return }
        guard children[round.child].phase == .ready else {
            waiting.inputRounds[clientID] = nil
            settle(round.call, outcome: .serverGone)
            actions.sendClient(PendingRequest(clientID: clientID, purpose: .toolCall(round.call)).unansweredReply(
                because: children[round.child].unavailableReason ?? "server \(children[round.child].name) is gone"))
            return
        }
        var params = round.params
        if round.responses.count > 0 { params["inputResponses"] = .object(round.responses) }
        params["requestState"] = round.requestState
        send(round.call, params: params, progressToken: round.progressToken, toChild: round.child, now: now, into: &actions)
    }

    /// Child `child` is gone: calls waiting for the client's input to it are answered.
    mutating func endInputRounds(of child: Int, because reason: String, into actions: inout HostActions) {
        for (clientID, round) in waiting.inputRounds where round.child == child && !round.awaiting.isEmpty {
            waiting.inputRounds[clientID] = nil
            settle(round.call, outcome: .serverGone)
            actions.sendClient(PendingRequest(clientID: clientID, purpose: .toolCall(round.call)).unansweredReply(because: reason))
        }
    }
}
