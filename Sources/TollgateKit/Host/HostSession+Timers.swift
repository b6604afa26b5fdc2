/// The aggregating gate's timers: call timeouts (by gate-owned id) and the gate's periodic work.
/// As in ``RelaySession``, the session never reads a clock: the I/O layer passes the monotonic
/// time in, waits until the armed deadline, and carries out what ``tick(now:)`` returns.
extension HostSession {
    /// Reads the earliest deadline for the I/O layer, which then waits until it.
    public mutating func armTimer() -> Int64? { timers.arm() }

    /// Whether a timer earlier than the armed deadline was set since (the I/O layer must then
    /// wake its waiting thread). Reading it clears it.
    public mutating func takeWakeRequest() -> Bool { timers.takeWakeRequest() }

    /// Sets the gate's tick, when it wants one and none is set.
    mutating func scheduleGateTick(now: Int64) {
        if let interval = gate.tickIntervalMilliseconds, timers[.gate] == nil {
            timers.set(.gate, at: now + interval)
        }
    }

    /// A request ended (answered, or its child gone): its timeout no longer applies.
    mutating func stopTimer(of entry: IDMap<HostPurpose>.Forwarded, now: Int64?) {
        if callTimeouts.removeValue(forKey: entry.gateID) != nil { timers.remove(.request(entry.gateID)) }
        if let now { scheduleGateTick(now: now) }
    }

    /// Fires every timer due at `now`: a call past its timeout gets a `timeout` denial, its
    /// child `notifications/cancelled` (under the child's id), and its late answer is dropped;
    /// the gate learns the call timed out. The gate's tick runs when due.
    public mutating func tick(now: Int64) -> HostActions {
        var actions = HostActions()
        lastNow = now
        guard !timers.isEmpty else { return actions }
        for timer in timers.expire(now: now) {
            switch timer {
            case .request(let id): expire(id, now: now, into: &actions)
            case .approval(let id): expireApproval(id, now: now, into: &actions)
            case .lateResponse: break
            case .gate: for log in gate.tick() { actions.log(log) }
            }
        }
        return actions
    }

    private mutating func expire(_ id: RequestID, now: Int64, into actions: inout HostActions) {
        let timeout = callTimeouts.removeValue(forKey: id)
        guard let entry = ids.take(id: id) else { return }
        // A server that does not answer initialize (or the server/discover after it) in time is
        // treated as failed; the client is answered without it.
        func late(_ method: String) -> String {
            "no answer to \(method) within \(Double(startTimeouts[entry.child]) / 1000) s (startTimeoutSeconds)"
        }
        switch entry.purpose {
        case .initialize:
            return childInitialized(entry.child, result: nil, error: late("initialize"), into: &actions)
        case .discover:
            return childDiscovered(entry.child, result: nil, error: late("server/discover"), into: &actions)
        default:
            break
        }
        guard case .toolCall(let call) = entry.purpose else { return }
        let name = children[entry.child].name
        actions.send(CallTimeout.cancellation(of: id, timeout: timeout), toChild: entry.child)
        timers.set(.lateResponse(id), at: now + RelaySession.lateResponseGraceMilliseconds)
        let denial = CallTimeout.denial(of: call, by: "server \(name)", timeout: timeout)
        actions.sendClient(Reply.result(id: call.id.bytes, denial.result(era: call.era)))
        actions.log(CallTimeout.log(call.name, request: call.id, timeout: timeout, server: "server \(name)"))
        _ = gate.callCompleted(call, outcome: .timedOut, result: nil)
        scheduleGateTick(now: now)
    }
}
