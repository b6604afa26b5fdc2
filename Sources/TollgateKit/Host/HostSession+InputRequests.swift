/// A 2025-era child's requests (sampling, elicitation, roots) for a stateless client, which takes
/// no requests from servers: they ride on the client's call to that child (the oldest in flight;
/// with none, on the next round of a call already waiting for the client) as 2026-07-28
/// multi-round-trip requests. The client's call is answered with an `input_required` result
/// carrying the child's requests and a `requestState`; the child's call goes on. The client's
/// retry (same call, `inputResponses` and that `requestState`) is not decided again: its
/// responses go to the child under the child's ids, and the child's answer to the call goes to
/// the retry (kept if it came first). A child's `ping` is answered by Tollgate.
extension HostSession {
    /// The prefix of the `requestState` values Tollgate gives out.
    static let requestStatePrefix = "tollgate/input-"
    /// The child requests that can ride on a call (the 2026-07-28 `InputRequest` kinds).
    static let inputMethods: Set<ProtocolName> = ["sampling/createMessage", "elicitation/create", "roots/list"]

    /// A request of a child for the client, under the key the client answers it by.
    struct ChildInput: Sendable {
        var key: String
        var childID: RequestID
        var method: String
        var params: JSONObject?
    }

    /// How a parked call ended before the client's retry.
    enum ParkedEnd: Sendable {
        /// The child answered: its line and the result or error in it.
        case answered(line: [UInt8], result: Range<Int>?, error: Range<Int>?)
        /// The gate replaced the answer (for example a result too large).
        case replaced(JSONObject)
        /// The child ended, or its answer was lost.
        case gone(String)
    }

    /// A client's call answered with `input_required`, waiting for the client's retry.
    struct ParkedCall: Sendable {
        /// The call as the gate decided it (the id of the request last answered).
        var call: ToolCall
        /// The gate-owned id the child knows the call by.
        var gateID: RequestID
        var child: Int
        /// The child's requests the client was given.
        var asked: [ChildInput]
        /// The child's requests that came after, for the next round.
        var waiting: [ChildInput] = []
        /// How the call ended, when it did before the retry.
        var end: ParkedEnd?

        /// Whether the child's call is still going.
        var isGoing: Bool { if case .none = end { true } else { false } }
    }

    /// A request of 2025-era child `child` while the client is stateless.
    mutating func askStatelessClient(_ child: Int, _ childID: RequestID, method: String, params: JSONObject?, into actions: inout HostActions) {
        if method.hasSameScalars(as: "ping") {
            actions.send(Reply.result(id: childID.bytes, [:]), toChild: child)
            return
        }
        let input = ChildInput(key: "tg-input-\(nextInputNumber)", childID: childID, method: method, params: params)
        nextInputNumber += 1
        let open = ids.forwarded(to: child).first { $0.clientID != nil && $0.purpose.isToolCall }
        if Self.inputMethods.contains(ProtocolName(method)), open == nil, let state = waiting.parkedCalls.first(where: { $0.value.child == child && $0.value.isGoing })?.key {
            guard waiting.parkedCalls[state]!.waiting.count < limits.inputsPerParkedCall else {
                return refuse(childID, method: method, of: child, because: "\(limits.inputsPerParkedCall) requests already wait for the next round of the call", into: &actions)
            }
            waiting.parkedCalls[state]?.waiting.append(input)  // goes out with the next round of that call
            return
        }
        guard Self.inputMethods.contains(ProtocolName(method)), let open, case .toolCall(let call) = open.purpose else {
            actions.send(Reply.error(id: childID.bytes, JSONRPCError(.methodNotFound,
                "Method not found: \(method) (the client behind Tollgate speaks 2026-07-28 and no call of yours is in flight to carry it)")), toChild: child)
            actions.log("refused \(method) from server \(children[child].name): the client speaks 2026-07-28, and no call to the server is in flight to carry it")
            return
        }
        guard waiting.parkedCalls.count < limits.parkedCalls else {
            return refuse(childID, method: method, of: child, because: "\(waiting.parkedCalls.count) calls already wait for the client's retry", into: &actions)
        }
        ids.rebind(open.gateID, clientID: nil, purpose: open.purpose)
        if callTimeouts[open.gateID] != nil { timers.remove(.request(open.gateID)) }  // re-armed on the retry
        park(ParkedCall(call: call, gateID: open.gateID, child: child, asked: [input]), into: &actions)
    }

    /// Answers the parked call's client request with `input_required` and a new `requestState`.
    private mutating func park(_ parked: ParkedCall, into actions: inout HostActions) {
        let state = ProtocolName(Self.requestStatePrefix + String(nextInputNumber))
        nextInputNumber += 1
        var requests = JSONObject()
        for input in parked.asked {
            var request = JSONObject()
            request["method"] = .string(input.method)
            if let params = input.params { request["params"] = .object(params) }
            requests[input.key] = .object(request)
        }
        var result = JSONObject()
        result["resultType"] = "input_required"
        result["inputRequests"] = .object(requests)
        result["requestState"] = .string(state.text)
        actions.sendClient(Reply.result(id: parked.call.id.bytes, .object(result)))
        waiting.parkedCalls[state] = parked
        waiting.parkedByGate[parked.gateID] = state
    }

    /// The client's retry of a parked call (its `requestState` one Tollgate gave out): true when
    /// it was handled here (it is not decided by the gate again).
    mutating func resumesParkedCall(_ retry: ToolCall, now: Int64, into actions: inout HostActions) -> Bool {
        guard clientEra == .stateless, case .string(let text)? = retry.params["requestState"], text.hasBytePrefix(Self.requestStatePrefix) else { return false }
        let state = ProtocolName(text)
        guard var parked = waiting.parkedCalls.removeValue(forKey: state) else {
            actions.sendClient(Reply.error(id: retry.id.bytes, JSONRPCError(.invalidParams, "Invalid params: requestState \(state) is not one Tollgate gave out, or was used")))
            return true
        }
        waiting.parkedByGate[parked.gateID] = nil
        let responses = retry.params["inputResponses"]?.objectValue
        for input in parked.asked {
            let answer = responses?[input.key].map { Reply.result(id: input.childID.bytes, $0) }
                ?? Reply.error(id: input.childID.bytes, JSONRPCError(.internalError, "the client gave no response to \(input.method)"))
            if children[parked.child].phase == .ready { actions.send(answer, toChild: parked.child) }
        }
        parked.call.id = retry.id
        guard let end = parked.end else {
            if !parked.waiting.isEmpty {
                parked.asked = parked.waiting
                parked.waiting = []
                park(parked, into: &actions)
                return true
            }
            ids.rebind(parked.gateID, clientID: retry.id, purpose: .toolCall(parked.call))
            if let timeout = callTimeouts[parked.gateID] { timers.set(.request(parked.gateID), at: now + timeout.milliseconds) }
            return true
        }
        for input in parked.waiting where children[parked.child].phase == .ready {
            actions.send(Reply.error(id: input.childID.bytes, JSONRPCError(.internalError, "the call it belongs to has ended")), toChild: parked.child)
        }
        switch end {
        case .answered(let line, let result, let error):
            actions.sendClient(line.withUnsafeBytes { clientResponse(id: retry.id, method: "tools/call", from: parked.child, result: result, error: error, in: $0) })
        case .replaced(let replacement):
            actions.sendClient(clientResult(id: retry.id, method: "tools/call", replacement))
        case .gone(let reason):
            actions.sendClient(PendingRequest(clientID: retry.id, purpose: .toolCall(parked.call)).unansweredReply(because: reason))
        }
        return true
    }

    /// A parked call ended before the client's retry: kept for it.
    mutating func finishParked(_ gateID: RequestID, _ end: ParkedEnd) {
        guard let state = waiting.parkedByGate[gateID] else { return }
        waiting.parkedCalls[state]?.end = end
    }
}

extension HostPurpose {
    /// Whether this is a client's `tools/call`.
    fileprivate var isToolCall: Bool { if case .toolCall = self { true } else { false } }
}
