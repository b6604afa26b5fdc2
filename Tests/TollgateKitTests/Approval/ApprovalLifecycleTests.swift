import Testing
@testable import TollgateKit

/// The held call's life on its own, as both sessions use it: no session, no I/O.
@Suite("ApprovalState+Lifecycle: a held call's life")
struct ApprovalLifecycleTests {
    var state = ApprovalState(nonce: "n")
    var gate: any Gate = PassThroughGate()
    var timers = DeadlineTable()

    static let asking = ApprovalHold(approval: ApprovalRule(asksClient: true), rule: "tools.echo", timeoutMilliseconds: 30_000)
    static let commanding = ApprovalHold(approval: ApprovalRule(asksClient: false, command: ["/bin/approve"]), rule: "tools.echo", timeoutMilliseconds: 30_000)

    @Test("a client that elicits is asked; its accept sends the call on exactly as checked, and the timer goes")
    mutating func askedAndAccepted() throws {
        state.clientCanElicit = true
        let call = try call("echo")
        let held = state.hold(call, Self.asking, limit: 10, now: 0, gate: &gate, timers: &timers)
        #expect(String(decoding: held.toClient, as: UTF8.self).contains(#""method":"elicitation/create""#))
        #expect(held.approved == nil && timers[.approval(call.id)] == 30_000)
        let asked = RequestID(bytes: Array(#""tollgate-n-1""#.utf8), isString: true, hasEscapes: false)
        let step = state.clientAnswered(asked, .accept(approve: true), gate: &gate, timers: &timers)
        #expect(step.approved?.call == call && step.toClient.isEmpty)
        #expect(timers[.approval(call.id)] == nil && state.isEmpty)
        let late = state.clientAnswered(asked, .accept(approve: true), gate: &gate, timers: &timers)
        #expect(late.approved == nil && late.logs.first?.contains("late answer") == true, "\(late.logs)")
    }

    @Test("without elicitation the approver runs; its refusal answers the call with a denial; a second result is ignored")
    mutating func approverRefuses() throws {
        let call = try call("echo")
        let held = state.hold(call, Self.commanding, limit: 10, now: 0, gate: &gate, timers: &timers)
        let job = try #require(held.approvers.first)
        #expect(held.toClient.isEmpty && job.command == ["/bin/approve"])
        let step = state.approverFinished(job.token, .finished(.exited(1), note: "no"), gate: &gate, timers: &timers)
        #expect(step.approved == nil && String(decoding: step.toClient, as: UTF8.self).contains("approval_denied"), "\(String(decoding: step.toClient, as: UTF8.self))")
        #expect(state.approverFinished(job.token, .finished(.exited(0), note: ""), gate: &gate, timers: &timers).logs.first?.contains("ignored") == true)
    }

    @Test("nobody to ask, or too many held: denied at once, nothing held")
    mutating func nobodyToAsk() throws {
        let step = state.hold(try call("echo"), Self.asking, limit: 10, now: 0, gate: &gate, timers: &timers)
        #expect(step.approved == nil && String(decoding: step.toClient, as: UTF8.self).contains("approval_required") && state.isEmpty)
        state.clientCanElicit = true
        _ = state.hold(try call("echo", id: 2), Self.asking, limit: 1, now: 0, gate: &gate, timers: &timers)
        let over = state.hold(try call("echo", id: 3), Self.asking, limit: 1, now: 0, gate: &gate, timers: &timers)
        #expect(over.approved == nil && state.held.count == 1 && !over.toClient.isEmpty)
    }

    @Test("the timeout denies and withdraws the question or stops the approver; the client's cancellation answers nothing and stops the approver")
    mutating func timeoutAndCancellation() throws {
        state.clientCanElicit = true
        let asked = try call("echo")
        _ = state.hold(asked, Self.asking, limit: 10, now: 0, gate: &gate, timers: &timers)
        let expired = try #require(state.expire(asked.id, gate: &gate))
        let text = String(decoding: expired.toClient, as: UTF8.self)
        #expect(text.contains("notifications/cancelled") && text.contains("the approval timed out") && text.contains("approval_denied"), "\(text)")
        #expect(state.expire(asked.id, gate: &gate) == nil)

        let commanded = try call("echo", id: 2)
        let job = try #require(state.hold(commanded, Self.commanding, limit: 10, now: 0, gate: &gate, timers: &timers).approvers.first)
        let cancelled = try #require(state.clientCancelled(commanded.id, reason: "user", gate: &gate, timers: &timers))
        #expect(cancelled.cancelledApprovers == [job.token] && cancelled.toClient.isEmpty && timers[.approval(commanded.id)] == nil)

        // The timeout stops a running approver too (its own limit is a second later).
        let timed = try call("echo", id: 3)
        let timedJob = try #require(state.hold(timed, Self.commanding, limit: 10, now: 0, gate: &gate, timers: &timers).approvers.first)
        #expect(timedJob.timeoutMilliseconds == Self.commanding.timeoutMilliseconds + 1000)
        let timedOut = try #require(state.expire(timed.id, gate: &gate))
        #expect(timedOut.cancelledApprovers == [timedJob.token] && String(decoding: timedOut.toClient, as: UTF8.self).contains("approval_denied"))
    }

    @Test("a refused held call is withdrawn: a question asked in the same lines is taken out, an earlier one cancelled")
    mutating func withdraw() throws {
        state.clientCanElicit = true
        let first = try call("echo")
        let asked = state.hold(first, Self.asking, limit: 10, now: 0, gate: &gate, timers: &timers).toClient
        var toClient = Array(#"{"jsonrpc":"2.0","id":9,"result":{}}"#.utf8) + [0x0A] + asked
        var approvers: [ApproverJob] = []
        #expect(state.withdraw(first.id, toClient: &toClient, approvers: &approvers, timers: &timers))
        #expect(toClient == Array(#"{"jsonrpc":"2.0","id":9,"result":{}}"#.utf8) + [0x0A], "the question is never sent")

        let second = try call("echo", id: 2)
        _ = state.hold(second, Self.asking, limit: 10, now: 0, gate: &gate, timers: &timers)
        var later: [UInt8] = []
        #expect(state.withdraw(second.id, toClient: &later, approvers: &approvers, timers: &timers))
        #expect(String(decoding: later, as: UTF8.self).contains("the call was refused"))
        #expect(!state.withdraw(second.id, toClient: &later, approvers: &approvers, timers: &timers) && timers.isEmpty)
    }

    /// A gate that lets every held call through, approved or not.
    struct ForwardingGate: Gate {
        func decide(_ call: ToolCall) -> GateVerdict { .forward }
        func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict { .forward }
    }

    @Test("fail closed: a gate that lets through a call nobody approved (a timeout) gets it refused, never sent on")
    mutating func unapprovedNeverRuns() throws {
        gate = ForwardingGate()
        state.clientCanElicit = true
        let held = try call("echo")
        _ = state.hold(held, Self.asking, limit: 10, now: 0, gate: &gate, timers: &timers)
        let expired = try #require(state.expire(held.id, gate: &gate))
        #expect(expired.approved == nil && String(decoding: expired.toClient, as: UTF8.self).contains("nobody approved"))
        let nobody = state.hold(try call("echo", id: 2), Self.asking, limit: 0, now: 0, gate: &gate, timers: &timers)
        #expect(nobody.approved == nil && !nobody.toClient.isEmpty)
    }
}
