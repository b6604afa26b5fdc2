/// Calls held for approval: the session asks the client (`elicitation/create` with an id of its
/// own) or has the relay layer start a local approver, keeps the call until the answer, the
/// timeout (``RelayTimer/approval(_:)``) or the server's end, and then forwards exactly the
/// checked call or answers it with a denial. Every held call gets exactly one answer.
extension RelaySession {
    /// What a settled approval leads to: the call to forward, or the line for the client.
    struct Settlement {
        var forward: ToolCall?
        var reply: [UInt8]?
        var log: String
    }

    /// Holds a call: asks the client when it can elicit (2025 eras), else starts the approver
    /// command, else lets the gate deny it (`approval_required`).
    mutating func holdForApproval(_ call: ToolCall, _ hold: ApprovalHold, now: Int64) -> MessageAction {
        if let outcome = approvals.overflow(limit: limits.heldCalls) {
            let settled = settle(HeldCall(call: call, hold: hold, route: .command(token: 0, command: [])), outcome: outcome, now: now)
            return .reply(Self.trimmed(settled.reply ?? []), log: settled.log)
        }
        if hold.approval.asksClient && approvals.clientCanElicit && call.era != .stateless {
            let id = approvals.holdForClient(call, hold)
            timers.set(.approval(call.id), at: now + hold.timeoutMilliseconds)
            return .held(RelayActions(reply: Elicitation.request(id: id, call: call, rule: hold.rule),
                                      log: "holding \(call.name) (request \(call.id)) for approval: asked the client (elicitation/create \(id))"))
        }
        if let command = hold.approval.command {
            let token = approvals.holdForCommand(call, hold, command: command)
            timers.set(.approval(call.id), at: now + hold.timeoutMilliseconds)
            var actions = RelayActions(log: "holding \(call.name) (request \(call.id)) for approval: running the approver \(command[0])")
            actions.approvers = [ApproverJob(token: token, command: command, call: call, hold: hold)]
            return .held(actions)
        }
        let outcome = ApprovalOutcome(approved: false, source: .none, detail: "the client cannot elicit and no approver command is set")
        let settled = settle(HeldCall(call: call, hold: hold, route: .command(token: 0, command: [])), outcome: outcome, now: now)
        return .reply(Self.trimmed(settled.reply ?? []), log: settled.log)
    }

    /// Client traffic approval cares about: `initialize` (does the client elicit?) and answers
    /// to Tollgate's own requests, which are taken here and never reach the server.
    mutating func approvalTraffic(_ message: ClientMessage, in line: UnsafeRawBufferPointer, now: Int64) -> RelayActions? {
        if case .passThrough(let span) = message, !approvals.isEmpty,
            let actions = cancellation(in: UnsafeRawBufferPointer(rebasing: line[span]))
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
            guard let held = approvals.release(request: id) else {
                return RelayActions(log: "dropped the client's late answer to Tollgate's request \(id) (its call was already settled)")
            }
            timers.remove(.approval(held.call.id))
            let settled = settle(held, outcome: answer.outcome, now: now)
            return RelayActions(forward: settled.forward.map { .call($0) }, reply: settled.reply, log: settled.log)
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
    mutating func cancellation(in message: UnsafeRawBufferPointer) -> RelayActions? {
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(message), envelope.kind == .notification,
            envelope.method?.hasSameScalars(as: "notifications/cancelled") == true, let range = envelope.params,
            let params = (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: message[range]), maxDepth: maxDepth))?.objectValue,
            let id = RequestID.named(by: params["requestId"]), let held = approvals.release(call: id)
        else { return nil }
        timers.remove(.approval(held.call.id))
        let reason = params["reason"]?.stringValue.map { "notifications/cancelled: \($0)" } ?? "notifications/cancelled"
        _ = gate.approvalDecided(held.call, hold: held.hold, outcome: ApprovalOutcome(approved: false, source: .cancelled, detail: reason))
        var actions = RelayActions(log: "the client cancelled \(held.call.name) (request \(held.call.id)) while it waited for approval; released without an answer")
        switch held.route {
        case .elicitation(let request):
            actions.reply = Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the client cancelled the call")
        case .command(let token, _):
            actions.cancelledApprovers = [token]
        }
        return actions
    }

    /// A local approver ended (reported by the relay layer). An answer after the call's timeout
    /// is ignored. Returns the call to forward or the line for the client.
    public mutating func approverFinished(_ token: Int, _ result: ApproverResult, now: Int64) -> RelayActions {
        guard let held = approvals.release(approver: token), case .command(_, let command) = held.route else {
            return RelayActions(log: "approver \(token) ended after its call was settled; ignored")
        }
        timers.remove(.approval(held.call.id))
        let outcome = ApprovalOutcome(approved: result.approves, source: .command, detail: result.detail(command: command))
        let settled = settle(held, outcome: outcome, now: now)
        return RelayActions(forward: settled.forward.map { .call($0) }, reply: settled.reply, log: settled.log)
    }

    /// A held call's time ran out: it is denied (`approval_denied`), and the client's pending
    /// elicitation, if any, is cancelled.
    mutating func expireApproval(_ id: RequestID, now: Int64, into actions: inout TimerActions) {
        guard let held = approvals.release(call: id) else { return }
        if case .elicitation(let request) = held.route {
            actions.toClient += Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the approval timed out")
        }
        let seconds = held.hold.timeoutMilliseconds / 1000
        let outcome = ApprovalOutcome(approved: false, source: .timeout, detail: "\(seconds) s (policy.approvalTimeoutSeconds)")
        let settled = timerActions(settle(held, outcome: outcome, now: now))
        actions.toClient += settled.toClient
        actions.logs += settled.logs
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

    /// Lets the gate decide a settled approval; an approved call is forwarded as checked (and
    /// from then on pending like any forwarded call), any other is answered.
    mutating func settle(_ held: HeldCall, outcome: ApprovalOutcome, now: Int64) -> Settlement {
        let call = held.call
        switch gate.approvalDecided(call, hold: held.hold, outcome: outcome) {
        case .forward:
            var request = PendingRequest(clientID: call.id, purpose: .toolCall(call))
            if let reason = serverGoneReason {
                _ = gate.callCompleted(call, outcome: .serverGone, result: nil)
                return Settlement(reply: request.unansweredReply(because: reason), log: "approved \(call.name), but the server is gone")
            }
            if usesTimers { request.timeout = scheduleForwarded(call, now: now) }
            pending.insert(request)
            return Settlement(forward: call, log: "approved \(call.name) (\(outcome.source.rawValue): \(outcome.detail)); forwarded")
        case .deny(let denial):
            return Settlement(reply: Reply.result(id: call.id.bytes, denial.result(era: call.era)),
                              log: "denied \(call.name) (\(denial.code.rawValue)): \(denial.reason)")
        case .fail(let error):
            return Settlement(reply: Reply.error(id: call.id.bytes, error), log: "failed \(call.name): \(error.message)")
        case .hold:
            let error = JSONRPCError(.internalError, "Tollgate: the gate held an approved call again")
            return Settlement(reply: Reply.error(id: call.id.bytes, error), log: "the gate held \(call.name) again; refused")
        }
    }

    /// What a settlement by a timer comes to (a timer only ever denies: it never forwards).
    private func timerActions(_ settled: Settlement) -> TimerActions {
        var actions = TimerActions(logs: [settled.log])
        if let reply = settled.reply { actions.toClient += reply }
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
