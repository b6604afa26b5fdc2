/// Something the relay session waits for with a deadline (see ``DeadlineTable``).
public enum RelayTimer: Hashable, Sendable {
    /// A forwarded request the server must answer in time (by the client's id).
    case request(RequestID)
    /// A request that timed out: its id stays reserved until its late response arrives or this
    /// grace period ends, so a late response is never taken for the answer to a new request.
    case lateResponse(RequestID)
    /// The gate's periodic work (``Gate/tick()``).
    case gate
    /// A call held for approval (by the client's id): no answer by then denies it.
    case approval(RequestID)
}
