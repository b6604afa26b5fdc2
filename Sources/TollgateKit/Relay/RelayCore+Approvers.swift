extension RelayCore {
    /// Runs a local approver (``ApproverPool``) and hands its result back to the session; the
    /// call's forwarded bytes go to the server once its effects are done, a denial to the client.
    func startApprover(_ job: ApproverJob) {
        approvers.start(job) { [self] result in
            let actions = decideCompleting { session, now in session.approverFinished(job.token, result, now: now) }
            diagnostics.report(actions.log.map { [$0] } ?? [])
            var forward: [UInt8] = []
            if case .call(let call)? = actions.forward {
                call.writeRequest(to: &forward)
                forward.append(0x0A)
            }
            if !forward.isEmpty && !serverInput.write(forward) {
                let replies = withSession { $0.serverWentAway(because: "the server stopped reading its input") }
                clientOutput.write(replies)
            }
            clientOutput.write(actions.reply ?? [])
        }
    }
}
