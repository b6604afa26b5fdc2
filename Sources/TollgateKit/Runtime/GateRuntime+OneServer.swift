/// Reading and writing for one server (``RelaySession``): lines pass through as they came, only
/// what must be inspected is read, and a line's forwarded bytes go out once its effects are done.
extension GateRuntime where Session == RelaySession {
    /// The server's input.
    var serverInput: OutputChannel { serverInputs[0] }

    /// Puts a reloaded manifest's gate in place, and tells the client when its tool list may
    /// have changed.
    func reloadOneServer(with gate: PolicyGate) throws(ReloadRefusal) {
        let actions = try reload(with: gate)
        diagnostics.report(actions.log.map { [$0] } ?? [])
        clientOutput.write(actions.reply ?? [])
    }

    /// Fires the session's due timers (main thread): answers go to the client, cancellations to
    /// the server. Returns the next deadline to wait for.
    func tick(now: Int64) -> Int64? {
        let (actions, next) = withSession { session in (session.tick(now: now), session.armTimer()) }
        diagnostics.report(actions.logs)
        serverInput.write(actions.toServer)
        clientOutput.write(actions.toClient)
        approvers.stop(actions.cancelledApprovers)
        effects.auditLog?.writePending()
        return next
    }

    /// The server stopped reading its input: what it owes is answered.
    private func serverStoppedReading() {
        clientOutput.write(withSession { $0.serverWentAway(because: "the server stopped reading its input") })
    }

    /// Client → server, until the client closes stdin.
    func pumpClient(from fd: Int32) {
        var pump = LinePump(maxLineBytes: maxMessageBytes)
        var serverReachable = true
        let readsResponses = capsSampling.load(ordering: .relaxed)
        let partial = pump.run(fd: fd, decideLines: { lines, each in
            // Read outside the lock, then decided under it at once.
            let reads = lines.map { ClientLine.read($0, maxDepth: maxDepth, inspectingCalls: inspectsCalls, readingResponses: readsResponses) }
            decide(count: lines.count, { session, now, index in session.decide(reads[index], in: lines[index], now: now) }, each: each)
        }, settle: { decided, tickets in
            settleRead(&decided, tickets)
            for actions in decided {
                for job in actions.approvers { startApprover(job) }
                approvers.stop(actions.cancelledApprovers)
            }
        }, oversized: { prefix, length in
            let (reply, log) = oversizedClientMessage(prefix, length: length)
            return RelayActions(reply: reply, log: log)
        }, flush: { forward, reply, logs in
            diagnostics.report(logs)
            clientOutput.write(reply)
            if serverReachable && !forward.isEmpty && !serverInput.write(forward) {
                serverReachable = false
                serverStoppedReading()
            }
        })
        if partial > 0 { diagnostics.report("the client closed its output inside a message; dropped \(partial) bytes") }
        post(.clientClosed)
    }

    /// Server → client, until the server closes stdout.
    func pumpServer(from fd: Int32) {
        var pump = LinePump(maxLineBytes: maxMessageBytes)
        let capsSampling = capsSampling.load(ordering: .relaxed)
        let partial = pump.run(fd: fd, decideLines: { lines, each in
            // A server line's effects (settling calls, their outcome records) refuse nothing:
            // they are carried out once its answers were written (``flush``).
            guard capsSampling else {
                let reads = lines.map { ServerLine.read($0, maxDepth: maxDepth) }
                decide(count: lines.count, { session, now, index in
                    session.decide(reads[index], in: lines[index], admitted: SamplingAdmissions(), now: now)
                }) { actions, _ in each(actions, .none) }
                return
            }
            for line in lines {
                let read = ServerLine.read(line, maxDepth: maxDepth)
                // Sampling requests are admitted first, line by line: a grant may be reserved in a ledger.
                let admitted = SamplingAdmissions(of: read, in: line, maxDepth: maxDepth) { maxTokens in effects.withEffects { $0.admitSampling(maxTokens: maxTokens) } }
                each(decide { $0.decide(read, in: line, admitted: admitted, now: $1) }.0, .none)
            }
        }, oversized: { prefix, length in
            var actions = RelayActions(log: "dropped a server message of \(length) bytes (limit \(maxMessageBytes))")
            let now = usesTimers ? SystemClock.monotonicMilliseconds() : 0
            if let id = oversizedServerResponseID(prefix),
                let reply = withSession({ $0.oversizedResponse(to: id, length: length, limit: maxMessageBytes, now: now) }) {
                actions.forward = .bytes(reply)
            }
            return actions
        }, flush: { forward, reply, logs in
            diagnostics.report(logs)
            serverInput.write(reply)
            clientOutput.write(forward)
            effects.drain()
            effects.auditLog?.writePending()
        })
        if partial > 0 { diagnostics.report("the server closed its output inside a message; dropped \(partial) bytes") }
        post(.serverClosed(0))
    }

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
            if !forward.isEmpty && !serverInput.write(forward) { serverStoppedReading() }
            clientOutput.write(actions.reply ?? [])
        }
    }
}
