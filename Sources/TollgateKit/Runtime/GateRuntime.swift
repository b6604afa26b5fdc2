import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What Tollgate's threads share while it runs, for one server (``RelaySession``) or several
/// (``HostSession``): the session behind one lock, the effects owner, the client's output, each
/// server's input, and the event pipe to the main thread.
///
/// One thread reads the client and one reads each server. Each decides under the lock and
/// queues the decision's effects (``GateEffect``) in the same critical section, so they are
/// carried out in decision order; they are carried out with the lock released, and a line's
/// forwarded bytes are written only once its effects are done (a refused call is taken back
/// first: ``RuntimeSession/refuse(_:in:)``). The reading and writing for each kind of session
/// are in `GateRuntime+OneServer.swift` and `GateRuntime+Servers.swift`; the main thread's loop
/// is ``EventLoop``.
final class GateRuntime<Session: RuntimeSession>: Sendable {
    let session: Mutex<Session>
    let clientOutput: OutputChannel
    /// Each server's input, by route (one for one server; one per possible server otherwise).
    let serverInputs: [OutputChannel]
    let events: Int32
    let maxMessageBytes: Int
    let maxDepth: Int
    /// Whether calls are read whole (a gate that checks nothing lets them through unread).
    let inspectsCalls: Bool
    /// Whether the session uses timers (then the threads read the clock for it).
    let usesTimers: Bool
    /// Whether sampling is capped (then each server line's sampling requests are admitted
    /// before the line is decided); a reload may change it.
    let capsSampling: Atomic<Bool>
    let diagnostics: Diagnostics
    /// The local approvers running for held calls.
    let approvers = ApproverPool()
    /// The one owner of the gate's I/O (audit records, budget reservations).
    let effects: EffectsOwner
    /// Why Tollgate stops on its own (a start-up error), once it must.
    let stopReason = Mutex<String?>(nil)
    /// Each server's incarnation (0 for the first process, one more per restart): a reading
    /// thread of an earlier incarnation (whose pipe a leftover grandchild may hold open) is ignored.
    let incarnations: Mutex<[Int]>

    init(session: Session, effects: EffectsOwner = EffectsOwner(), clientOutput: OutputChannel, serverInputs: [OutputChannel], events: Int32,
         maxMessageBytes: Int, diagnostics: Diagnostics) {
        maxDepth = session.maxDepth
        usesTimers = session.usesTimers
        inspectsCalls = session.gate.inspectsCalls
        capsSampling = Atomic(session.capsSampling)
        self.effects = effects
        self.session = Mutex(session)
        self.clientOutput = clientOutput
        self.serverInputs = serverInputs
        incarnations = Mutex(Array(repeating: 0, count: serverInputs.count))
        self.events = events
        self.maxMessageBytes = maxMessageBytes
        self.diagnostics = diagnostics
    }

    /// Tells the main thread of `event` (``EventLoop/Event``).
    func post(_ event: EventLoop.Event) {
        var byte = event.byte
        _ = write(events, &byte, 1)
    }

    /// Runs `body` on the session and queues the effects it decided; they are carried out
    /// (here, or by whoever is carrying effects out) once the lock is released.
    func withSession<R>(_ body: (inout Session) -> R) -> R {
        let result = session.withLock { session in
            let result = body(&session)
            _ = effects.enqueue(session.gate.takeEffects())
            return result
        }
        effects.drain()
        return result
    }

    /// Takes a decision (with the current time when the session uses timers), queues its
    /// effects in the same critical section, and wakes the main thread when it set an earlier
    /// timer. Returns the ticket of the effects, to complete before the actions are carried out.
    func decide(_ body: (inout Session, Int64) -> Session.Actions) -> (Session.Actions, EffectsOwner.Ticket) {
        var decided: (Session.Actions, EffectsOwner.Ticket)?
        decide(count: 1, { session, now, _ in body(&session, now) }) { decided = ($0, $1) }
        return decided!  // `decide(count:)` hands on exactly `count` decisions
    }

    /// Takes `count` decisions (`body` gets each one's index) in one critical section, as
    /// ``decide(_:)`` takes one, and hands each on with its ticket, in order: the lines of one
    /// read take the lock once.
    func decide(count: Int, _ body: (inout Session, Int64, Int) -> Session.Actions,
                each: (Session.Actions, EffectsOwner.Ticket) -> Void) {
        let now = usesTimers ? SystemClock.monotonicMilliseconds() : 0
        let wake = session.withLock { session in
            for index in 0..<count {
                let actions = body(&session, now, index)
                let decided = session.gate.takeEffects()
                each(actions, decided.isEmpty ? .none : effects.enqueue(decided))
            }
            return usesTimers && session.takeWakeRequest()
        }
        if wake { post(.timerChanged) }
    }

    /// Decides, then carries out the decision's effects and takes back what they refused.
    func decideCompleting(_ body: (inout Session, Int64) -> Session.Actions) -> Session.Actions {
        let (actions, ticket) = decide(body)
        var decided = [actions]
        settleRead(&decided, [ticket])
        return decided[0]
    }

    /// Carries out the effects of every line of one read at once (one group commit), and takes
    /// back from each line's actions what its effects refused; before anything of them is written.
    /// (A single decision is a read of one line: ``decideCompleting(_:)``.)
    ///
    /// Refusals are taken and applied in one critical section, so each is applied once, by
    /// whichever thread takes it first, before any thread can write its call; a later line of the
    /// read that sent the call on (a held call it approved) loses the call's line too. A line may
    /// also send calls another thread decided (``RuntimeSession/callsDecidedBefore(in:)``: a call
    /// parked until its server started): their effects are completed too, their refusals taken
    /// if their thread has not, and a call that thread refused meanwhile is taken out.
    func settleRead(_ decided: inout [Session.Actions], _ tickets: [EffectsOwner.Ticket]) {
        let sendsEarlierCalls = decided.contains { !Session.callsDecidedBefore(in: $0).isEmpty }
        if sendsEarlierCalls {
            effects.completeAll()
        } else {
            guard tickets.contains(where: { !$0.isEmpty }), effects.complete(tickets) else { return }
        }
        session.withLock { session in
            for (index, refused) in effects.takeRefusals(tickets).enumerated() where !refused.isEmpty {
                session.refuse(refused, in: &decided[index])
                // A later line of the read may have sent the call on (a held call approved by it).
                for later in decided.indices where later > index {
                    for refusal in refused { Session.takeOut(refusedCall: refusal.id, from: &decided[later]) }
                }
            }
            guard sendsEarlierCalls else { return }
            for index in decided.indices {
                let earlier = Session.callsDecidedBefore(in: decided[index])
                guard !earlier.isEmpty else { continue }
                let refused = effects.takeRefusals(of: earlier)
                if !refused.isEmpty { session.refuse(refused, in: &decided[index]) }
                session.takeOutCallsNoLongerInFlight(from: &decided[index])
            }
        }
    }

    /// Puts a reloaded manifest's gate in place under the session's lock; returns what the
    /// session says to do about it.
    func reload(with gate: PolicyGate) throws(ReloadRefusal) -> Session.ReloadActions {
        let actions = try session.withLock { session throws(ReloadRefusal) in
            let actions = try session.reload(with: gate)
            _ = effects.enqueue(session.gate.takeEffects())
            capsSampling.store(session.capsSampling, ordering: .relaxed)
            return actions
        }
        effects.drain()
        return actions
    }

    /// The client's message refused for its size: the error for it, and the log line.
    func oversizedClientMessage(_ prefix: [UInt8], length: Int) -> (reply: [UInt8], log: String) {
        let id: [UInt8]? = prefix.withUnsafeBytes { bytes in Self.idRange(inPrefix: bytes).map { Array(bytes[$0]) } }
        let (error, log) = JSONRPCError.oversized(length, limit: maxMessageBytes)
        return (Reply.error(id: id, error), log)
    }

    /// The id of a server's message dropped for its size, when it is a response Tollgate can
    /// answer for.
    func oversizedServerResponseID(_ prefix: [UInt8]) -> RequestID? {
        prefix.withUnsafeBytes { bytes in Self.idRange(inPrefix: bytes).flatMap { RequestID.response(bytes, $0) } }
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

    /// Whether `incarnation` is server `route`'s current process.
    func isCurrent(_ route: Int, _ incarnation: Int) -> Bool {
        incarnations.withLock { $0[route] == incarnation }
    }

    /// Server `route` was started again: its input goes to `input` from now on; returns the new
    /// incarnation for its reading thread.
    func restarted(_ route: Int, input: Int32) -> Int {
        serverInputs[route].reopen(fd: input)
        return incarnations.withLock { incarnations in
            incarnations[route] += 1
            return incarnations[route]
        }
    }
}
