/// Calls held for approval behind several servers, as with one (``RelaySession``): the session
/// asks the client (`elicitation/create` under an id of Tollgate's own) or has the I/O layer
/// start the local approver, keeps the call until the answer, the timeout or the client's
/// cancellation, and then routes exactly the checked call to its server or answers it with a
/// denial. Every held call gets exactly one answer, except one the client cancelled (which,
/// per the specification's cancellation rules, gets none).
extension HostSession {
    /// Holds a call: asks the client when it can elicit (2025 eras), else starts the approver
    /// command, else lets the gate deny it (`approval_required`).
    mutating func holdForApproval(_ call: ToolCall, _ hold: ApprovalHold, now: Int64, into actions: inout HostActions) {
        if let outcome = approvals.overflow(limit: limits.heldCalls) {
            return settle(HeldCall(call: call, hold: hold, route: .command(token: 0, command: [])), outcome: outcome, now: now, into: &actions)
        }
        if hold.approval.asksClient && approvals.clientCanElicit && call.era != .stateless {
            let id = approvals.holdForClient(call, hold)
            timers.set(.approval(call.id), at: now + hold.timeoutMilliseconds)
            actions.sendClient(Elicitation.request(id: id, call: call, rule: hold.rule))
            actions.log("holding \(call.name) (request \(call.id)) for approval: asked the client (elicitation/create \(id))")
            return
        }
        if let command = hold.approval.command {
            let token = approvals.holdForCommand(call, hold, command: command)
            timers.set(.approval(call.id), at: now + hold.timeoutMilliseconds)
            actions.approvers.append(ApproverJob(token: token, command: command, call: call, hold: hold))
            actions.log("holding \(call.name) (request \(call.id)) for approval: running the approver \(command[0])")
            return
        }
        let outcome = ApprovalOutcome(approved: false, source: .none, detail: "the client cannot elicit and no approver command is set")
        settle(HeldCall(call: call, hold: hold, route: .command(token: 0, command: [])), outcome: outcome, now: now, into: &actions)
    }

    /// The client answered Tollgate's own request `id` (an elicitation): the held call is
    /// settled. Returns false when `id` is not Tollgate's (then it is a child's request's answer).
    mutating func clientAnsweredApproval(_ id: RequestID, in line: UnsafeRawBufferPointer, now: Int64, into actions: inout HostActions) -> Bool {
        guard approvals.hasAsked, approvals.isOwnID(id) else { return false }
        guard let (_, answer) = Elicitation.answer(in: line), let held = approvals.release(request: id) else {
            actions.log("dropped the client's late answer to Tollgate's request \(id) (its call was already settled)")
            return true
        }
        timers.remove(.approval(held.call.id))
        settle(held, outcome: answer.outcome, now: now, into: &actions)
        return true
    }

    /// A local approver ended (reported by the I/O layer); an answer after the call's timeout is
    /// ignored.
    public mutating func approverFinished(_ token: Int, _ result: ApproverResult, now: Int64) -> HostActions {
        var actions = HostActions()
        guard let held = approvals.release(approver: token), case .command(_, let command) = held.route else {
            actions.log("approver \(token) ended after its call was settled; ignored")
            return actions
        }
        timers.remove(.approval(held.call.id))
        let outcome = ApprovalOutcome(approved: result.approves, source: .command, detail: result.detail(command: command))
        settle(held, outcome: outcome, now: now, into: &actions)
        return actions
    }

    /// A held call's time ran out: it is denied (`approval_denied`), and the client's pending
    /// elicitation, if any, is cancelled.
    mutating func expireApproval(_ id: RequestID, now: Int64, into actions: inout HostActions) {
        guard let held = approvals.release(call: id) else { return }
        if case .elicitation(let request) = held.route {
            actions.sendClient(Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the approval timed out"))
        }
        let seconds = held.hold.timeoutMilliseconds / 1000
        settle(held, outcome: ApprovalOutcome(approved: false, source: .timeout, detail: "\(seconds) s (policy.approvalTimeoutSeconds)"),
               now: now, into: &actions)
    }

    /// The client cancelled a held call: it is released without an answer (the client expects
    /// none), its elicitation is withdrawn or its approver stopped, and the gate records it
    /// cancelled (then denied). Returns false when no call of that id is held.
    mutating func clientCancelledHeldCall(_ id: RequestID, reason: String?, into actions: inout HostActions) -> Bool {
        guard let held = approvals.release(call: id) else { return false }
        timers.remove(.approval(id))
        switch held.route {
        case .elicitation(let request):
            actions.sendClient(Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the client cancelled the call"))
        case .command(let token, _):
            actions.cancelledApprovers.append(token)
        }
        let detail = reason.map { "notifications/cancelled: \($0)" } ?? "notifications/cancelled"
        _ = gate.approvalDecided(held.call, hold: held.hold, outcome: ApprovalOutcome(approved: false, source: .cancelled, detail: detail))
        actions.log("the client cancelled \(held.call.name) (request \(id)) while it waited for approval; released without an answer")
        return true
    }

    /// Lets the gate decide a settled approval; an approved call is routed as checked, any other
    /// is answered.
    private mutating func settle(_ held: HeldCall, outcome: ApprovalOutcome, now: Int64, into actions: inout HostActions) {
        let call = held.call
        switch gate.approvalDecided(call, hold: held.hold, outcome: outcome) {
        case .forward:
            actions.log("approved \(call.name) (\(outcome.source.rawValue): \(outcome.detail)); forwarded")
            forward(call, now: now, into: &actions)
        case .deny(let denial):
            actions.sendClient(Reply.result(id: call.id.bytes, denial.result(era: call.era)))
            actions.log("denied \(call.name) (\(denial.code.rawValue)): \(denial.reason)")
        case .fail(let error):
            actions.sendClient(Reply.error(id: call.id.bytes, error))
            actions.log("failed \(call.name): \(error.message)")
        case .hold:
            actions.sendClient(Reply.error(id: call.id.bytes, JSONRPCError(.internalError, "Tollgate: the gate held an approved call again")))
            actions.log("the gate held \(call.name) again; refused")
        }
    }
}
