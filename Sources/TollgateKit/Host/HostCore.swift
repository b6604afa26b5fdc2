import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the aggregating gate's threads share: the ``HostSession`` (behind one lock), the effects
/// owner, the client's output, each child's input, and the event pipe to the main thread. One
/// thread reads the client, one reads each child; each decides under the lock (queuing the
/// decision's effects in the same critical section), carries the effects out with the lock
/// released, and then writes.
final class HostCore: Sendable {
    enum Event {
        static let clientClosed: UInt8 = 1
        /// Child `i` closed its output: `childClosedBase + i`.
        static let childClosedBase: UInt8 = 2
        /// A thread set a timer earlier than the one the main thread waits for.
        static let timerChanged: UInt8 = 255
    }

    /// The most children one gate fronts (one event byte per child).
    static let maxChildren = 200

    let session: Mutex<HostSession>
    let clientOutput: OutputChannel
    let childInputs: [OutputChannel]
    let events: Int32
    let maxMessageBytes: Int
    let maxDepth: Int
    /// Whether the session uses timers (then the threads read the clock for it).
    let usesTimers: Bool
    let diagnostics: Diagnostics
    /// The local approvers running for held calls.
    let approvers = ApproverPool()
    /// The one owner of the gate's I/O (audit records, budget reservations).
    let effects: EffectsOwner
    /// Whether the gate caps sampling (then each child line's sampling requests are admitted
    /// before the line is decided); a reload may change it.
    let capsSampling: Atomic<Bool>
    /// Why Tollgate stops on its own (a start-up error), once it must.
    let stopReason = Mutex<String?>(nil)
    /// Each child's incarnation (0 for the first process, one more per restart): a pump thread
    /// of an earlier incarnation (whose pipe a leftover grandchild may hold open) is ignored.
    let incarnations: Mutex<[Int]>

    init(session: HostSession, effects: EffectsOwner = EffectsOwner(), clientOutput: OutputChannel, childInputs: [OutputChannel], events: Int32,
         maxMessageBytes: Int, diagnostics: Diagnostics) {
        maxDepth = session.maxDepth
        usesTimers = session.usesTimers
        self.effects = effects
        capsSampling = Atomic(session.gate.capsSampling)
        self.session = Mutex(session)
        self.clientOutput = clientOutput
        self.childInputs = childInputs
        incarnations = Mutex(Array(repeating: 0, count: childInputs.count))
        self.events = events
        self.maxMessageBytes = maxMessageBytes
        self.diagnostics = diagnostics
    }

    func post(_ event: UInt8) {
        var byte = event
        _ = write(events, &byte, 1)
    }

    /// Carries out what the session decided: children first (a request goes out before the
    /// client could see anything that depends on it), then diagnostics (so that stderr tells of
    /// an answer by the time the client has it, as with one server), then the client, then the
    /// audit records that wait for the client's answers.
    func perform(_ actions: HostActions) {
        for (child, bytes) in actions.toChildren.sorted(by: { $0.key < $1.key }) where childInputs.indices.contains(child) {
            childInputs[child].write(bytes)
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
            post(Event.clientClosed)  // the main thread shuts every server down
        }
        for job in actions.approvers {
            // The approver runs on a thread of its own; the session decides on its result.
            approvers.start(job) { [self] result in perform(decide { session, now in session.approverFinished(job.token, result, now: now) }) }
        }
    }

    /// Decides under the lock, with the time when the session uses timers, and queues the
    /// decision's effects in the same critical section; wakes the main thread when the decision
    /// set an earlier timer. Then carries the effects out and takes back what they refused.
    func decide(_ body: (inout HostSession, Int64) -> HostActions) -> HostActions {
        let now = usesTimers ? monotonicMilliseconds() : 0
        var (actions, ticket, wake) = session.withLock { session in
            let actions = body(&session, now)
            let decided = session.gate.takeEffects()
            return (actions, decided.isEmpty ? EffectsOwner.Ticket.none : effects.enqueue(decided), usesTimers && session.takeWakeRequest())
        }
        if wake { post(Event.timerChanged) }
        if !ticket.isEmpty {
            let refusals = effects.complete(ticket)
            if !refusals.isEmpty { session.withLock { $0.refuse(refusals, in: &actions) } }
        }
        return actions
    }

    /// Fires the session's due timers (main thread) and returns the next deadline to wait for.
    func tick(now: Int64) -> Int64? {
        var next: Int64?
        let actions = decide { session, _ in
            defer { next = session.armTimer() }
            return session.tick(now: now)
        }
        perform(actions)
        return next
    }

    /// Client → children, until the client closes stdin.
    func pumpClient(from fd: Int32) {
        pump(fd: fd, decide: { line in self.decide { $0.clientLine(line, now: $1) } }, oversized: { prefix, length in
            var actions = HostActions()
            let id: [UInt8]? = prefix.withUnsafeBytes { bytes in RelayCore.idRange(inPrefix: bytes).map { Array(bytes[$0]) } }
            actions.sendClient(Reply.error(id: id, JSONRPCError(
                .invalidRequest, "Invalid Request: message of \(length) bytes exceeds Tollgate's limit of \(self.maxMessageBytes) bytes")))
            actions.log("refused a client message of \(length) bytes (limit \(self.maxMessageBytes))")
            return actions
        })
        post(Event.clientClosed)
    }

    /// Puts a reloaded manifest's gate in place under the session's lock, and tells the client
    /// its tool list may have changed.
    func reload(with gate: PolicyGate) throws(ReloadRefusal) {
        let actions = try session.withLock { session throws(ReloadRefusal) in
            let actions = try session.reload(with: gate)
            _ = effects.enqueue(session.gate.takeEffects())
            return actions
        }
        capsSampling.store(gate.capsSampling, ordering: .relaxed)
        effects.drain()
        perform(actions)
    }

    /// Whether `incarnation` is child `child`'s current process.
    func isCurrent(_ child: Int, _ incarnation: Int) -> Bool {
        incarnations.withLock { $0[child] == incarnation }
    }

    /// Child `child` was started again: its input goes to `input` from now on; returns the new
    /// incarnation for its pump.
    func restarted(_ child: Int, input: Int32) -> Int {
        childInputs[child].reopen(fd: input)
        return incarnations.withLock { incarnations in
            incarnations[child] += 1
            return incarnations[child]
        }
    }

    /// Child `child` → client (or back to children), until the child closes its stdout; lines
    /// read after the child was restarted (from a leftover of the old process) are dropped.
    func pumpChild(_ child: Int, incarnation: Int = 0, from fd: Int32) {
        pump(fd: fd, decide: { line in
            guard self.isCurrent(child, incarnation) else { return HostActions() }
            // Sampling requests are admitted first: a grant may be reserved in a ledger.
            guard self.capsSampling.load(ordering: .relaxed) else { return self.decide { $0.childLine(child, line, now: $1) } }
            let admitted = SamplingAdmissions(of: ServerLine.read(line, maxDepth: self.maxDepth), in: line, maxDepth: self.maxDepth) { maxTokens in
                self.effects.withEffects { $0.admitSampling(maxTokens: maxTokens) }
            }
            return self.decide { $0.childLine(child, line, admitted: admitted, now: $1) }
        }, oversized: { prefix, length in
            let id: RequestID? = prefix.withUnsafeBytes { bytes in
                RelayCore.idRange(inPrefix: bytes).flatMap { RequestID.response(bytes, $0) }
            }
            let reason = "the server's response of \(length) bytes exceeds Tollgate's limit of \(self.maxMessageBytes) bytes"
            var actions = id.map { id in self.decide { session, _ in session.childResponseLost(child, id: id, because: reason) } } ?? HostActions()
            actions.log("dropped a message of \(length) bytes from a server (limit \(self.maxMessageBytes))")
            return actions
        })
        close(fd)
        if isCurrent(child, incarnation) { post(Event.childClosedBase + UInt8(child)) }
    }

    /// Reads lines until end of stream; the actions of every line of one read are carried out together.
    private func pump(fd: Int32, decide: (UnsafeRawBufferPointer) -> HostActions, oversized: ([UInt8], Int) -> HostActions) {
        var framer = LineFramer(maxLineBytes: maxMessageBytes)
        while framer.fill({ readRetrying(fd, $0) }) > 0 {
            var actions = HostActions()
            while let line = framer.next() {
                switch line {
                case .complete(let content, _):
                    actions.append(framer.withBytes { decide(UnsafeRawBufferPointer(rebasing: $0[content])) })
                case .oversized(let prefix, let length):
                    actions.append(oversized(prefix, length))
                }
            }
            perform(actions)
        }
        let partial = framer.finish()
        if partial > 0 { diagnostics.report("a stream closed inside a message; dropped \(partial) bytes") }
    }
}
