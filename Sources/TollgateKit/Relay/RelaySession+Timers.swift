/// The session's timers: call timeouts and the gate's periodic work. The session never reads a
/// clock: the I/O layer passes the monotonic time in, waits until ``nextDeadline`` (see
/// ``armTimer()``), and carries out what ``tick(now:)`` returns.
extension RelaySession {
    /// How long a timed-out request's id stays reserved for its late response.
    public static let lateResponseGraceMilliseconds: Int64 = 60_000

    /// The earliest deadline of any timer, or nil when none is set.
    public var nextDeadline: Int64? { timers.earliestDeadline }

    /// Reads ``nextDeadline`` for the I/O layer, which then waits until it: a timer set later
    /// with an earlier deadline makes ``takeWakeRequest()`` true, so the waiter can be woken.
    public mutating func armTimer() -> Int64? { timers.arm() }

    /// Whether a timer earlier than the armed deadline was set since the last call (the I/O layer
    /// must then wake its waiting thread). Reading it clears it.
    public mutating func takeWakeRequest() -> Bool { timers.takeWakeRequest() }

    /// Sets the timeout of a call just forwarded (when the gate gives it one); returns it.
    mutating func scheduleForwarded(_ call: ToolCall, now: Int64) -> CallTimeout? {
        scheduleGateTick(now: now)
        guard let timeout = gate.timeout(for: call) else { return nil }
        timers.remove(.lateResponse(call.id))
        timers.set(.request(call.id), at: now + timeout.milliseconds)
        return timeout
    }

    /// Sets the gate's tick, when it wants one and none is set.
    mutating func scheduleGateTick(now: Int64) {
        if let interval = gate.tickIntervalMilliseconds, timers[.gate] == nil {
            timers.set(.gate, at: now + interval)
        }
    }

    /// Takes the pending entry a response answers, cancelling its timer.
    mutating func take(_ id: RequestID, now: Int64) -> PendingRequest? {
        guard let request = pending.remove(id) else { return nil }
        if usesTimers {
            if request.timeout != nil { timers.remove(.request(id)) }
            scheduleGateTick(now: now)
        }
        return request
    }

    /// Fires every timer due at `now`: a request past its timeout is answered for the client
    /// (a `timeout` denial for a tool call, an error otherwise), the server gets
    /// `notifications/cancelled` for it, its late response will be dropped, and the gate learns
    /// the call ended (``CallOutcome/timedOut``: budgets keep it as spent). The gate's tick runs
    /// when due.
    public mutating func tick(now: Int64) -> TimerActions {
        var actions = TimerActions()
        guard !timers.isEmpty else { return actions }
        for timer in timers.expire(now: now) {
            switch timer {
            case .request(let id): expire(id, now: now, into: &actions)
            case .lateResponse: break
            case .gate: actions.logs += gate.tick()
            case .approval(let id): expireApproval(id, now: now, into: &actions)
            }
        }
        return actions
    }

    private mutating func expire(_ id: RequestID, now: Int64, into actions: inout TimerActions) {
        guard let request = pending.remove(id) else { return }
        actions.toServer += CallTimeout.cancellation(of: id, timeout: request.timeout)
        timers.set(.lateResponse(id), at: now + Self.lateResponseGraceMilliseconds)
        switch request.purpose {
        case .toolCall(let call):
            let denial = CallTimeout.denial(of: call, by: "the server", timeout: request.timeout)
            actions.toClient += Reply.result(id: id.bytes, denial.result(era: call.era))
            actions.logs.append(CallTimeout.log(call.name, request: id, timeout: request.timeout, server: "the server"))
            _ = gate.callCompleted(call, outcome: .timedOut, result: nil)
            scheduleGateTick(now: now)
        case .uninspectedToolCall, .toolList, .other:
            let reason = "the server did not answer within \(CallTimeout.limitText(request.timeout))\(CallTimeout.settingText(request.timeout))"
            actions.toClient += Reply.error(id: id.bytes, JSONRPCError(.internalError, "Tollgate: \(reason)"))
            actions.logs.append(CallTimeout.log(request.method, request: id, timeout: request.timeout, server: "the server"))
        }
    }
}
