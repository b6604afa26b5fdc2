extension RelayCore {
    /// Runs a local approver on a thread of its own (never under the session's lock, so other
    /// traffic keeps flowing) and hands its result back to the session; the call's forwarded
    /// bytes go to the server, a denial to the client. While it runs, its cancellation is kept
    /// by token (``stopApprovers(_:)``).
    func startApprover(_ job: ApproverJob) {
        let cancellation = ApproverCancellation()
        runningApprovers.withLock { $0[job.token] = cancellation }
        startThread { [self] in
            let result = ApproverCommand.run(job, cancellation: cancellation)
            runningApprovers.withLock { _ = $0.removeValue(forKey: job.token) }
            let now = monotonicMilliseconds()
            let (actions, wake) = session.withLock { session in
                (session.approverFinished(job.token, result, now: now), session.takeWakeRequest())
            }
            for log in actions.logs { diagnostics.report(log) }
            if !actions.toServer.isEmpty && !serverInput.write(actions.toServer) {
                let replies = session.withLock { $0.serverWentAway(because: "the server stopped reading its input") }
                clientOutput.write(replies)
            }
            clientOutput.write(actions.toClient)
            if wake { post(Event.timerChanged) }
        }
    }

    /// Stops the running approvers of these tokens (their calls were cancelled); each one's
    /// thread then reports ``ApproverResult/cancelled``, which the session ignores.
    func stopApprovers(_ tokens: [Int]) {
        for token in tokens { runningApprovers.withLock { $0[token] }?.cancel() }
    }
}
