#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing for several servers (``HostSession``): each line is decided, its effects
/// carried out, and the lines for the servers and the client written, in that order.
extension GateRuntime where Session == HostSession {
    /// Carries out what the session decided: servers first (a request goes out before the
    /// client could see anything that depends on it), then diagnostics (so that stderr tells of
    /// an answer by the time the client has it), then the client, then the audit records that
    /// wait for the client's answers.
    func perform(_ actions: HostActions) {
        for (child, bytes) in actions.toChildren.sorted(by: { $0.key < $1.key }) where serverInputs.indices.contains(child) {
            serverInputs[child].write(bytes)
        }
        diagnostics.report(actions.logs)
        clientOutput.write(actions.toClient)
        effects.auditLog?.writePending()
        approvers.stop(actions.cancelledApprovers)
        if let reason = actions.stop, stopReason.withLock({ stop in
            defer { stop = stop ?? reason }
            return stop == nil
        }) {
            diagnostics.report(reason)
            post(.clientClosed)  // the main thread shuts every server down
        }
        for job in actions.approvers {
            // The approver runs on a thread of its own; the session decides on its result.
            approvers.start(job) { [self] result in perform(decideCompleting { session, now in session.approverFinished(job.token, result, now: now) }) }
        }
    }

    /// Fires the session's due timers (main thread) and returns the next deadline to wait for.
    func tick(now: Int64) -> Int64? {
        var next: Int64?
        let actions = decideCompleting { session, _ in
            defer { next = session.armTimer() }
            return session.tick(now: now)
        }
        perform(actions)
        return next
    }

    /// Puts a reloaded manifest's gate in place, and tells the client its tool list may have changed.
    func reloadServers(with gate: PolicyGate) throws(ReloadRefusal) {
        perform(try reload(with: gate))
    }

    /// Client → servers, until the client closes stdin.
    func pumpClient(from fd: Int32) {
        pump(fd: fd, decide: { line in self.decide { $0.clientLine(line, now: $1) } }, oversized: { prefix, length in
            var actions = HostActions()
            let (reply, log) = self.oversizedClientMessage(prefix, length: length)
            actions.sendClient(reply)
            actions.log(log)
            return actions
        })
        post(.clientClosed)
    }

    /// Server `child` → client (or back to servers), until it closes its stdout; lines read
    /// after it was restarted (from a leftover of the old process) are dropped.
    func pumpChild(_ child: Int, incarnation: Int = 0, from fd: Int32) {
        pump(fd: fd, decide: { line in
            guard self.isCurrent(child, incarnation) else { return (HostActions(), .none) }
            // Sampling requests are admitted first: a grant may be reserved in a ledger.
            guard self.capsSampling.load(ordering: .relaxed) else { return self.decide { $0.childLine(child, line, now: $1) } }
            let admitted = SamplingAdmissions(of: ServerLine.read(line, maxDepth: self.maxDepth), in: line, maxDepth: self.maxDepth) { maxTokens in
                self.effects.withEffects { $0.admitSampling(maxTokens: maxTokens) }
            }
            return self.decide { $0.childLine(child, line, admitted: admitted, now: $1) }
        }, oversized: { prefix, length in
            let reason = JSONRPCError.oversizedResponseReason(length, limit: self.maxMessageBytes)
            var actions = self.oversizedServerResponseID(prefix).map { id in
                self.decideCompleting { session, _ in session.childResponseLost(child, id: id, because: reason) }
            } ?? HostActions()
            actions.log("dropped a message of \(length) bytes from a server (limit \(self.maxMessageBytes))")
            return actions
        })
        close(fd)
        if isCurrent(child, incarnation) { post(.serverClosed(child)) }
    }

    /// Reads lines until end of stream (``ReadLoop``): every line of one read is decided, their
    /// effects are carried out at once and what they refused taken back, and then their actions
    /// are carried out together.
    private func pump(fd: Int32, decide: (UnsafeRawBufferPointer) -> (HostActions, EffectsOwner.Ticket), oversized: ([UInt8], Int) -> HostActions) {
        var loop = ReadLoop<HostActions>(maxLineBytes: maxMessageBytes)
        var actions = HostActions()
        let partial = loop.run(fd: fd, decide: decide, oversized: oversized, settle: settleRead, apply: { each, _ in actions.append(each) }, endOfRead: {
            perform(actions)
            actions = HostActions()
        })
        if partial > 0 { diagnostics.report("a stream closed inside a message; dropped \(partial) bytes") }
    }
}
