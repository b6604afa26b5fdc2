/// One server's restarts, as a pure state machine: told when the server started and how it
/// ended, it says whether to start it again and when (exponential backoff), or to give it up.
/// The I/O layer keeps one per server and reads no other policy.
public struct RestartSchedule: Sendable, Equatable {
    /// What to do about a server that ended.
    public enum Decision: Sendable, Equatable {
        /// Start it again at `time` (monotonic milliseconds): restart number `attempt` in a row,
        /// after waiting `delay` milliseconds.
        case restart(at: Int64, attempt: Int, delay: Int64)
        /// Leave it down, for this reason.
        case giveUp(String)
    }

    /// The policy it follows.
    public let policy: RestartPolicy
    /// Restarts in a row so far (reset when the server ran long enough).
    public private(set) var restarts = 0
    /// When the server last started.
    public private(set) var startedAt: Int64

    /// The schedule of a server started at `now`.
    public init(policy: RestartPolicy, startedAt now: Int64) {
        self.policy = policy
        startedAt = now
    }

    /// The server was started (again) at `now`.
    public mutating func started(at now: Int64) {
        startedAt = now
    }

    /// The server ended with `status` at `now` while Tollgate was not stopping.
    public mutating func ended(_ status: ExitStatus, at now: Int64) -> Decision {
        guard policy.mode == .onFailure else { return .giveUp("its restart policy is \"never\"") }
        if case .exited(0) = status { return .giveUp("it exited with status 0 (only failures are restarted)") }
        if now - startedAt >= RestartPolicy.healthyMilliseconds { restarts = 0 }
        guard restarts < policy.maxRestarts else {
            return .giveUp("it failed \(restarts + 1) times in a row (maxRestarts is \(policy.maxRestarts))")
        }
        restarts += 1
        var delay = policy.backoffMilliseconds
        for _ in 1..<restarts where delay < RestartPolicy.maxBackoffMilliseconds { delay *= 2 }
        delay = min(delay, RestartPolicy.maxBackoffMilliseconds)
        return .restart(at: now + delay, attempt: restarts, delay: delay)
    }
}
