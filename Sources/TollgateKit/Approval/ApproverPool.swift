import Synchronization

/// The local approvers running for held calls, each on a thread of its own (never under a
/// session's lock, so other traffic keeps flowing), kept by token so that the approver of a
/// call the client cancelled can be stopped.
final class ApproverPool: Sendable {
    private let running = Mutex<[Int: ApproverCancellation]>([:])

    /// Runs `job` on a new thread and hands its result to `finished` (on that thread).
    func start(_ job: ApproverJob, then finished: @escaping @Sendable (ApproverResult) -> Void) {
        let cancellation = ApproverCancellation()
        running.withLock { $0[job.token] = cancellation }
        startThread { [self] in
            let result = ApproverCommand.run(job, cancellation: cancellation)
            running.withLock { _ = $0.removeValue(forKey: job.token) }
            finished(result)
        }
    }

    /// Stops the running approvers of these tokens (their calls were cancelled); each one's
    /// thread then reports ``ApproverResult/cancelled``, which the sessions ignore.
    func stop(_ tokens: [Int]) {
        for token in tokens { running.withLock { $0[token] }?.cancel() }
    }
}
