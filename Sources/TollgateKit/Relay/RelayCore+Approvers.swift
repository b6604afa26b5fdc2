extension RelayCore {
    /// Runs a local approver (``ApproverPool``) and hands its result back to the session; the
    /// call's forwarded bytes go to the server, a denial to the client.
    func startApprover(_ job: ApproverJob) {
        approvers.start(job) { [self] result in
            let now = monotonicMilliseconds()
            let (actions, wake) = session.withLock { session in
                (session.approverFinished(job.token, result, now: now), session.takeWakeRequest())
            }
            diagnostics.report(actions.logs)
            if !actions.toServer.isEmpty && !serverInput.write(actions.toServer) {
                let replies = session.withLock { $0.serverWentAway(because: "the server stopped reading its input") }
                clientOutput.write(replies)
            }
            clientOutput.write(actions.toClient)
            if wake { post(Event.timerChanged) }
        }
    }
}
