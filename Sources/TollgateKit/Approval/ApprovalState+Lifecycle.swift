/// The life of a held call, the same for one server or several: the session asks the client
/// (`elicitation/create` under an id of Tollgate's own) or has the I/O layer start the local
/// approver, keeps the call until the answer, the timeout (``DeadlineTable`` key
/// `.approval(id)`) or the client's cancellation, and then sends exactly the checked call on or
/// answers it with a denial. Every held call gets exactly one answer, except one the client
/// cancelled (which, per the specification's cancellation rules, gets none).
extension ApprovalState {
    /// Holds a call: asks the client when it can elicit (2025 eras), else starts the approver
    /// command, else lets the gate deny it (`approval_required`).
    mutating func hold(_ call: ToolCall, _ hold: ApprovalHold, limit: Int, now: Int64, gate: inout any Gate, timers: inout DeadlineTable) -> ApprovalStep {
        let unheld = HeldCall(call: call, hold: hold, route: .command(token: 0, command: []))
        if let outcome = overflow(limit: limit) { return Self.settle(unheld, outcome: outcome, gate: &gate) }
        if hold.approval.asksClient && clientCanElicit && call.era != .stateless {
            let id = holdForClient(call, hold)
            timers.set(.approval(call.id), at: now + hold.timeoutMilliseconds)
            return ApprovalStep(toClient: Elicitation.request(id: id, call: call, rule: hold.rule),
                                logs: ["holding \(call.name) (request \(call.id)) for approval: asked the client (elicitation/create \(id))"])
        }
        if let command = hold.approval.command {
            let token = holdForCommand(call, hold, command: command)
            timers.set(.approval(call.id), at: now + hold.timeoutMilliseconds)
            return ApprovalStep(logs: ["holding \(call.name) (request \(call.id)) for approval: running the approver \(command[0])"],
                                approvers: [ApproverJob(token: token, command: command, call: call, hold: hold)])
        }
        let outcome = ApprovalOutcome(approved: false, source: .none, detail: "the client cannot elicit and no approver command is set")
        return Self.settle(unheld, outcome: outcome, gate: &gate)
    }

    /// The client answered Tollgate's request `id` (already known to be Tollgate's) with
    /// `answer` (nil: not an answer it can read): the held call is settled, or the late answer
    /// dropped.
    mutating func clientAnswered(_ id: RequestID, _ answer: Elicitation.Answer?, gate: inout any Gate, timers: inout DeadlineTable) -> ApprovalStep {
        guard let answer, let held = release(request: id) else {
            return ApprovalStep(logs: ["dropped the client's late answer to Tollgate's request \(id) (its call was already settled)"])
        }
        timers.remove(.approval(held.call.id))
        return Self.settle(held, outcome: answer.outcome, gate: &gate)
    }

    /// A local approver ended (reported by the I/O layer); an answer after the call's timeout
    /// is ignored.
    mutating func approverFinished(_ token: Int, _ result: ApproverResult, gate: inout any Gate, timers: inout DeadlineTable) -> ApprovalStep {
        guard let held = release(approver: token), case .command(_, let command) = held.route else {
            return ApprovalStep(logs: ["approver \(token) ended after its call was settled; ignored"])
        }
        timers.remove(.approval(held.call.id))
        let outcome = ApprovalOutcome(approved: result.approves, source: .command, detail: result.detail(command: command))
        return Self.settle(held, outcome: outcome, gate: &gate)
    }

    /// A held call's time ran out: it is denied (`approval_denied`), and the client's pending
    /// elicitation is cancelled, or its approver stopped. Nil when no call of that id is held.
    mutating func expire(_ id: RequestID, gate: inout any Gate) -> ApprovalStep? {
        guard let held = release(call: id) else { return nil }
        var step = ApprovalStep()
        switch held.route {
        case .elicitation(let request): step.toClient = Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the approval timed out")
        case .command(let token, _): step.cancelledApprovers = [token]
        }
        let seconds = held.hold.timeoutMilliseconds / 1000
        let settled = Self.settle(held, outcome: ApprovalOutcome(approved: false, source: .timeout, detail: "\(seconds) s (policy.approvalTimeoutSeconds)"),
                                  gate: &gate)
        step.toClient += settled.toClient
        step.logs = settled.logs
        return step
    }

    /// The client cancelled a held call: it is released without an answer (the client expects
    /// none), its elicitation is withdrawn or its approver stopped, and the gate records it
    /// cancelled (then denied). Nil when no call of that id is held.
    mutating func clientCancelled(_ id: RequestID, reason: String?, gate: inout any Gate, timers: inout DeadlineTable) -> ApprovalStep? {
        guard let held = release(call: id) else { return nil }
        timers.remove(.approval(id))
        var step = ApprovalStep(logs: ["the client cancelled \(held.call.name) (request \(id)) while it waited for approval; released without an answer"])
        switch held.route {
        case .elicitation(let request):
            step.toClient = Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the client cancelled the call")
        case .command(let token, _):
            step.cancelledApprovers = [token]
        }
        let detail = reason.map { "notifications/cancelled: \($0)" } ?? "notifications/cancelled"
        _ = gate.approvalDecided(held.call, hold: held.hold, outcome: ApprovalOutcome(approved: false, source: .cancelled, detail: detail))
        return step
    }

    /// A held call the effects refused (``EffectRefusal``) is forgotten: its question is taken
    /// out of `toClient` when it was asked in these very lines (then it is never sent), or else
    /// cancelled; its approver is not started. False when no call of that id is held.
    mutating func withdraw(_ id: RequestID, toClient: inout [UInt8], approvers: inout [ApproverJob], timers: inout DeadlineTable) -> Bool {
        guard let held = release(call: id) else { return false }
        timers.remove(.approval(id))
        switch held.route {
        case .elicitation(let request):
            let asked = Elicitation.request(id: request, call: held.call, rule: held.hold.rule)
            if let unasked = toClient.removingFirst(asked) {
                toClient = unasked
            } else {
                toClient += Reply.cancelled(requestID: request.bytes, reason: "Tollgate: the call was refused")
            }
        case .command(let token, _):
            approvers.removeAll { $0.token == token }
        }
        return true
    }

    /// Lets the gate decide a settled approval: an approved call is to be sent on; any other is
    /// answered.
    private static func settle(_ held: HeldCall, outcome: ApprovalOutcome, gate: inout any Gate) -> ApprovalStep {
        let call = held.call
        switch gate.approvalDecided(call, hold: held.hold, outcome: outcome) {
        case .forward where outcome.approved:
            return ApprovalStep(approved: (call, outcome))
        case .forward:
            // Nobody approved it (a timeout, a refusal, no one to ask): it never runs.
            return ApprovalStep(toClient: Reply.error(id: call.id.bytes, JSONRPCError(.internalError, "Tollgate: the gate let through a call nobody approved")),
                                logs: ["the gate let \(call.name) through without an approval (\(outcome.source.rawValue)); refused"])
        case .deny(let denial):
            return ApprovalStep(toClient: Reply.result(id: call.id.bytes, denial.result(era: call.era)), logs: [denial.logLine(tool: call.name)])
        case .fail(let error):
            return ApprovalStep(toClient: Reply.error(id: call.id.bytes, error), logs: ["failed \(call.name): \(error.message)"])
        case .hold:
            return ApprovalStep(toClient: Reply.error(id: call.id.bytes, JSONRPCError(.internalError, "Tollgate: the gate held an approved call again")),
                                logs: ["the gate held \(call.name) again; refused"])
        }
    }
}
