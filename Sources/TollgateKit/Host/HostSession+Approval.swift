/// Calls held for approval behind several servers: the held call's life is
/// `ApprovalState+Lifecycle` (the same as with one server); this routes an approved call to its
/// server and puts the rest in ``HostActions``.
extension HostSession {
    /// Holds a call (see ``ApprovalState/hold(_:_:limit:now:gate:timers:)``).
    mutating func holdForApproval(_ call: ToolCall, _ hold: ApprovalHold, now: Int64, into actions: inout HostActions) {
        carryOut(approvals.hold(call, hold, limit: limits.heldCalls, now: now, gate: &gate, timers: &timers), now: now, into: &actions)
    }

    /// The client answered Tollgate's own request `id` (an elicitation): the held call is
    /// settled. Returns false when `id` is not Tollgate's (then it is a child's request's answer).
    mutating func clientAnsweredApproval(_ id: RequestID, in line: UnsafeRawBufferPointer, now: Int64, into actions: inout HostActions) -> Bool {
        guard approvals.hasAsked, approvals.isOwnID(id) else { return false }
        carryOut(approvals.clientAnswered(id, Elicitation.answer(in: line)?.answer, gate: &gate, timers: &timers), now: now, into: &actions)
        return true
    }

    /// A local approver ended (reported by the I/O layer); an answer after the call's timeout is
    /// ignored.
    public mutating func approverFinished(_ token: Int, _ result: ApproverResult, now: Int64) -> HostActions {
        var actions = HostActions()
        carryOut(approvals.approverFinished(token, result, gate: &gate, timers: &timers), now: now, into: &actions)
        return actions
    }

    /// A held call's time ran out: it is denied (`approval_denied`), and the client's pending
    /// elicitation, if any, is cancelled.
    mutating func expireApproval(_ id: RequestID, now: Int64, into actions: inout HostActions) {
        if let step = approvals.expire(id, gate: &gate) { carryOut(step, now: now, into: &actions) }
    }

    /// The client cancelled a held call (see ``ApprovalState/clientCancelled(_:reason:gate:timers:)``).
    /// Returns false when no call of that id is held.
    mutating func clientCancelledHeldCall(_ id: RequestID, reason: String?, into actions: inout HostActions) -> Bool {
        guard let step = approvals.clientCancelled(id, reason: reason, gate: &gate, timers: &timers) else { return false }
        carryOut(step, now: lastNow, into: &actions)
        return true
    }

    /// Puts a step of a held call's life in `actions`; an approved call is routed as checked.
    private mutating func carryOut(_ step: ApprovalStep, now: Int64, into actions: inout HostActions) {
        actions.sendClient(step.toClient)
        for log in step.logs { actions.log(log) }
        actions.approvers += step.approvers
        actions.cancelledApprovers += step.cancelledApprovers
        if let (call, outcome) = step.approved {
            actions.log(ApprovalStep.forwardedLog(call, outcome))
            forward(call, now: now, into: &actions)
        }
    }
}
