/// Calls held for approval with one server: the held call's life is `ApprovalState+Lifecycle`
/// (the same as with several servers); this reads the client traffic approval cares about,
/// sends an approved call to the server as checked, and puts the rest in ``RelayActions``.
extension RelaySession {
    /// Holds a call (see ``ApprovalState/hold(_:_:limit:now:gate:timers:)``).
    mutating func holdForApproval(_ call: ToolCall, _ hold: ApprovalHold, now: Int64) -> MessageAction {
        let actions = carryOut(approvals.hold(call, hold, limit: limits.heldCalls, now: now, gate: &gate, timers: &timers), now: now)
        // Settled at once (nobody to ask, too many held): never approved, so answered like any call.
        if approvals.held[call.id] == nil, let reply = actions.reply { return .reply(Self.trimmed(reply), log: actions.log) }
        return .held(actions)
    }

    /// Client traffic approval cares about: `initialize` (does the client elicit?) and answers
    /// to Tollgate's own requests, which are taken here and never reach the server.
    mutating func approvalTraffic(_ message: ClientMessage, in line: UnsafeRawBufferPointer, now: Int64) -> RelayActions? {
        if case .passThrough(let span) = message, !approvals.isEmpty,
            let actions = cancellation(in: UnsafeRawBufferPointer(rebasing: line[span]), now: now)
        {
            return actions
        }
        switch message {
        case .request(_, let method, let span) where method.hasSameScalars(as: "initialize"):
            approvals.clientCanElicit = Elicitation.clientCanElicit(initializeParams: UnsafeRawBufferPointer(rebasing: line[span]))
            return nil
        case .passThrough(let span) where approvals.hasAsked, .response(_, _, _, let span) where approvals.hasAsked:
            guard let (id, answer) = Elicitation.answer(in: UnsafeRawBufferPointer(rebasing: line[span])),
                approvals.isOwnID(id)
            else { return nil }
            return carryOut(approvals.clientAnswered(id, answer, gate: &gate, timers: &timers), now: now)
        default:
            return nil
        }
    }

    /// The client's `notifications/cancelled` for a held call: the call is released without an
    /// answer (the receiver of a cancellation should not respond, 2025-11-25 basic/utilities/
    /// cancellation), its approval is recorded as cancelled (an `approval` record with `by:
    /// cancelled`, then the `decision` record, denied), the elicitation Tollgate asked is
    /// cancelled in turn or the approver stopped, and the notification goes no further (the
    /// server never saw the call). nil when the message is not a cancellation of a held call.
    mutating func cancellation(in message: UnsafeRawBufferPointer, now: Int64) -> RelayActions? {
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(message), envelope.kind == .notification,
            envelope.method?.hasSameScalars(as: "notifications/cancelled") == true, let range = envelope.params,
            let params = (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: message[range]), maxDepth: maxDepth))?.objectValue,
            let id = RequestID.named(by: params["requestId"]),
            let step = approvals.clientCancelled(id, reason: params["reason"]?.stringValue, gate: &gate, timers: &timers)
        else { return nil }
        return carryOut(step, now: now)
    }

    /// A local approver ended (reported by the relay layer). An answer after the call's timeout
    /// is ignored. Returns the call to forward or the line for the client.
    public mutating func approverFinished(_ token: Int, _ result: ApproverResult, now: Int64) -> RelayActions {
        carryOut(approvals.approverFinished(token, result, gate: &gate, timers: &timers), now: now)
    }

    /// A held call's time ran out: it is denied (`approval_denied`), and the client's pending
    /// elicitation, if any, is cancelled.
    mutating func expireApproval(_ id: RequestID, now: Int64, into actions: inout TimerActions) {
        guard let step = approvals.expire(id, gate: &gate) else { return }
        // A timeout never approves (ApprovalState.settle), so nothing is forwarded from a timer.
        let settled = carryOut(step, now: now)
        actions.toClient += settled.reply ?? []
        if let log = settled.log { actions.logs.append(log) }
        actions.cancelledApprovers += settled.cancelledApprovers
    }

    /// Every held call, when the server went away: each is answered `server_unavailable` (lines
    /// for the client, with cancellations of Tollgate's pending requests).
    mutating func abandonHeldCalls(because reason: String) -> [UInt8] {
        var lines: [UInt8] = []
        for held in approvals.releaseAll() {
            timers.remove(.approval(held.call.id))
            if case .elicitation(let request) = held.route {
                lines += Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the call no longer needs approval")
            }
            _ = gate.approvalDecided(held.call, hold: held.hold, outcome: ApprovalOutcome(approved: false, source: .abandoned, detail: reason))
            lines += PendingRequest(clientID: held.call.id, purpose: .toolCall(held.call)).unansweredReply(because: reason)
        }
        return lines
    }

    /// Puts a step of a held call's life in ``RelayActions``; an approved call is forwarded as
    /// checked (and from then on pending like any forwarded call), unless the server is gone.
    private mutating func carryOut(_ step: ApprovalStep, now: Int64) -> RelayActions {
        var actions = RelayActions(reply: step.toClient.isEmpty ? nil : step.toClient)
        var logs = step.logs
        actions.approvers = step.approvers
        actions.cancelledApprovers = step.cancelledApprovers
        if let (call, outcome) = step.approved {
            var request = PendingRequest(clientID: call.id, purpose: .toolCall(call))
            if let reason = serverGoneReason {
                _ = gate.callCompleted(call, outcome: .serverGone, result: nil)
                actions.reply = (actions.reply ?? []) + request.unansweredReply(because: reason)
                logs.append("approved \(call.name), but the server is gone")
            } else {
                if usesTimers { request.timeout = scheduleForwarded(call, now: now) }
                pending.insert(request)
                actions.forward = .call(call)
                logs.append(ApprovalStep.forwardedLog(call, outcome))
            }
        }
        actions.log = logs.isEmpty ? nil : logs.joined(separator: "; ")
        return actions
    }

    /// A server request that reuses the id of one of Tollgate's outstanding requests to the
    /// client: refused (answered with an error), so the client's answer cannot be misrouted.
    func collidingServerRequest(_ line: UnsafeRawBufferPointer) -> RelayActions? {
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(line), envelope.kind == .request,
            let id = RequestID(envelope: envelope, in: line)
        else { return nil }
        return collidingServerRequest(id: id)
    }

    /// The refusal of a server request whose id (already read) is one of Tollgate's outstanding ones.
    func collidingServerRequest(id: RequestID) -> RelayActions? {
        guard approvals.isOwnRequest(id) else { return nil }
        let error = JSONRPCError(.invalidRequest, "Invalid Request: id \(id) is reserved by Tollgate for a request in flight")
        return RelayActions(reply: Reply.error(id: id.bytes, error), log: "refused a server request reusing Tollgate's request id \(id)")
    }
}
