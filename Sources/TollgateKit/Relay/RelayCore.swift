import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the two pump threads share: the session (behind one lock), the effects owner, the two
/// output channels, and the event pipe to the main thread.
///
/// Every decision is taken under the session's lock, and its effects (``GateEffect``) are
/// queued in the same critical section, so they are carried out in decision order; they are
/// carried out after the lock is released, and a line's forwarded bytes are written only once
/// its effects are done (a refused call is taken back first: ``RelaySession/refuse(_:in:)``).
final class RelayCore: Sendable {
    enum Event {
        static let clientClosed: UInt8 = 1
        static let serverClosed: UInt8 = 2
        /// A pump set a timer earlier than the one the main thread waits for.
        static let timerChanged: UInt8 = 3
    }

    let session: Mutex<RelaySession>
    let clientOutput: OutputChannel
    let serverInput: OutputChannel
    let events: Int32
    let maxMessageBytes: Int
    let maxDepth: Int
    let inspectsCalls: Bool
    /// Whether the session uses timers (then the pumps read the clock for it).
    let usesTimers: Bool
    /// Whether the session caps sampling (then server requests and client responses are read).
    let capsSampling: Bool
    let diagnostics: Diagnostics
    /// The local approvers running.
    let approvers = ApproverPool()
    /// The one owner of the gate's I/O (audit records, budget reservations).
    let effects: EffectsOwner

    init(session: RelaySession, effects: EffectsOwner = EffectsOwner(), clientOutput: OutputChannel, serverInput: OutputChannel, events: Int32,
         maxMessageBytes: Int, diagnostics: Diagnostics) {
        self.maxDepth = session.maxDepth
        self.inspectsCalls = session.gate.inspectsCalls
        self.effects = effects
        self.usesTimers = session.usesTimers
        self.capsSampling = session.capsSampling
        self.session = Mutex(session)
        self.clientOutput = clientOutput
        self.serverInput = serverInput
        self.events = events
        self.maxMessageBytes = maxMessageBytes
        self.diagnostics = diagnostics
    }

    /// Puts a reloaded manifest's gate in place under the session's lock, and tells the client
    /// when its tool list may have changed.
    func reload(with gate: PolicyGate) throws(ReloadRefusal) {
        let lines = try session.withLock { session throws(ReloadRefusal) in
            if let old = session.gate as? PolicyGate, old.manifest.servers != gate.manifest.servers {
                diagnostics.report("reload: the servers section changed; with one server Tollgate keeps relaying the one it started (restart it to change the server)")
            }
            let lines = try session.reload(with: gate)
            _ = effects.enqueue(session.gate.takeEffects())
            return lines
        }
        effects.drain()
        clientOutput.write(lines)
    }

    /// Runs `body` on the session and queues the effects it decided; they are carried out
    /// (here, or by whoever is carrying effects out) once the lock is released.
    func withSession<R>(_ body: (inout RelaySession) -> R) -> R {
        let result = session.withLock { session in
            let result = body(&session)
            _ = effects.enqueue(session.gate.takeEffects())
            return result
        }
        effects.drain()
        return result
    }

    /// Carries out the effects of a decision and takes back what they refused.
    private func completing(_ ticket: EffectsOwner.Ticket, _ actions: inout RelayActions) {
        guard !ticket.isEmpty else { return }
        let refusals = effects.complete(ticket)
        if !refusals.isEmpty { session.withLock { $0.refuse(refusals, in: &actions) } }
    }

    func post(_ event: UInt8) {
        var byte = event
        _ = write(events, &byte, 1)
    }

    /// Where the id is in the first bytes of a message refused for its size. The prefix is the
    /// whole message when it arrived in one read, or a cut-off start of it otherwise.
    static func idRange(inPrefix bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        let range: Range<Int>?
        switch MessageEnvelope.scan(bytes) {
        case .failure(let malformed): range = malformed.id
        case .success(.single(let envelope)): range = envelope.id
        case .success(.batch): range = nil
        }
        // Only a string or a number is an id worth echoing.
        guard let range, let first = range.first.map({ bytes[$0] }),
            first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return nil }
        return range
    }

    /// Takes a decision (with the current time when the session uses timers), queues its
    /// effects in the same critical section, and wakes the main thread when it set an earlier
    /// timer. Returns the ticket of the effects, to complete before the actions are carried out.
    func decide(_ body: (inout RelaySession, Int64) -> RelayActions) -> (RelayActions, EffectsOwner.Ticket) {
        let now = usesTimers ? monotonicMilliseconds() : 0
        let (actions, ticket, wake) = session.withLock { session in
            let actions = body(&session, now)
            let decided = session.gate.takeEffects()
            return (actions, decided.isEmpty ? .none : effects.enqueue(decided), usesTimers && session.takeWakeRequest())
        }
        if wake { post(Event.timerChanged) }
        return (actions, ticket)
    }

    /// Decides and carries out the decision's effects; what they refused is taken back.
    func decideCompleting(_ body: (inout RelaySession, Int64) -> RelayActions) -> RelayActions {
        var (actions, ticket) = decide(body)
        completing(ticket, &actions)
        return actions
    }

    /// Fires the session's due timers (main thread): answers go to the client, cancellations to
    /// the server. Returns the next deadline to wait for.
    func tick(now: Int64) -> Int64? {
        let (actions, next) = withSession { session in (session.tick(now: now), session.armTimer()) }
        diagnostics.report(actions.logs)
        serverInput.write(actions.toServer)
        clientOutput.write(actions.toClient)
        effects.auditLog?.writePending()
        return next
    }

    /// Client → server, until the client closes stdin.
    func pumpClient(from fd: Int32) {
        var pump = LinePump(maxLineBytes: maxMessageBytes)
        var serverReachable = true
        pump.run(fd: fd, decide: { line in
            let read = ClientLine.read(line, maxDepth: maxDepth, inspectingCalls: inspectsCalls, readingResponses: capsSampling)
            let actions = decideCompleting { $0.decide(read, in: line, now: $1) }
            for job in actions.approvers { startApprover(job) }
            approvers.stop(actions.cancelledApprovers)
            return actions
        }, oversized: { prefix, length in
            let id: [UInt8]? = prefix.withUnsafeBytes { bytes in Self.idRange(inPrefix: bytes).map { Array(bytes[$0]) } }
            let error = JSONRPCError(.invalidRequest, "Invalid Request: message of \(length) bytes exceeds Tollgate's limit of \(maxMessageBytes) bytes")
            return RelayActions(reply: Reply.error(id: id, error), log: "refused a client message of \(length) bytes (limit \(maxMessageBytes))")
        }, flush: { forward, reply, logs in
            diagnostics.report(logs)
            clientOutput.write(reply)
            if serverReachable && !forward.isEmpty && !serverInput.write(forward) {
                serverReachable = false
                let replies = withSession { $0.serverWentAway(because: "the server stopped reading its input") }
                clientOutput.write(replies)
            }
        })
        let partial = pump.finish()
        if partial > 0 { diagnostics.report("the client closed its output inside a message; dropped \(partial) bytes") }
        post(Event.clientClosed)
    }

    /// Server → client, until the server closes stdout.
    func pumpServer(from fd: Int32) {
        var pump = LinePump(maxLineBytes: maxMessageBytes)
        pump.run(fd: fd, decide: { line in
            let read = ServerLine.read(line, maxDepth: maxDepth)
            // Sampling requests are admitted first: a grant may be reserved in a ledger.
            let admitted = capsSampling
                ? SamplingAdmissions(of: read, in: line, maxDepth: maxDepth) { maxTokens in effects.withEffects { $0.admitSampling(maxTokens: maxTokens) } }
                : SamplingAdmissions()
            // A server line's effects (settling calls, their outcome records) refuse nothing:
            // they are carried out once its answers were written (``flush``).
            return decide { $0.decide(read, in: line, admitted: admitted, now: $1) }.0
        }, oversized: { prefix, length in
            var actions = RelayActions(log: "dropped a server message of \(length) bytes (limit \(maxMessageBytes))")
            let id: RequestID? = prefix.withUnsafeBytes { bytes in
                Self.idRange(inPrefix: bytes).flatMap { RequestID.response(bytes, $0) }
            }
            let now = usesTimers ? monotonicMilliseconds() : 0
            if let id, let reply = withSession({ $0.oversizedResponse(to: id, length: length, limit: maxMessageBytes, now: now) }) {
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
        let partial = pump.finish()
        if partial > 0 { diagnostics.report("the server closed its output inside a message; dropped \(partial) bytes") }
        post(Event.serverClosed)
    }
}
