/// A session ``GateRuntime`` drives: the pure state machine for one server (``RelaySession``)
/// or several (``HostSession``), kept behind the runtime's one lock. No I/O happens in it.
public protocol RuntimeSession: Sendable {
    /// What a decision asks the I/O layer to do.
    associatedtype Actions: Sendable
    /// What a reload asks the I/O layer to do.
    associatedtype ReloadActions: Sendable

    /// The gate consulted for tool calls.
    var gate: any Gate { get set }
    /// The nesting limit for every message read.
    var maxDepth: Int { get }
    /// Whether the session uses timers; when not, the I/O layer need not read the clock.
    var usesTimers: Bool { get }
    /// Whether sampling is capped (then servers' sampling requests are admitted first).
    var capsSampling: Bool { get }
    /// Whether a timer earlier than the armed deadline was set since the last call.
    mutating func takeWakeRequest() -> Bool
    /// Reads the earliest deadline for the I/O layer, which then waits until it.
    mutating func armTimer() -> Int64?
    /// Takes the calls the effects refused out of what a decision returned, and answers them.
    mutating func refuse(_ refusals: [EffectRefusal], in actions: inout Actions)
    /// Takes the line of refused call `id` out of `actions` of a later line of the same read
    /// (which sent it on: a held call it approved); ``refuse(_:in:)`` answered it already.
    static func takeOut(refusedCall id: RequestID, from actions: inout Actions)
    /// The client's ids of the calls in `actions` decided in an earlier critical section, maybe
    /// by another thread (whose ticket holds their effects): a call parked until its server
    /// started. The runtime settles them before they are written (``GateRuntime/settleRead(_:_:)``).
    static func callsDecidedBefore(in actions: Actions) -> [RequestID]
    /// Takes out of `actions` the calls decided before that are no longer in flight as they were
    /// sent (their effects refused them meanwhile, and their thread answered the client).
    mutating func takeOutCallsNoLongerInFlight(from actions: inout Actions)
    /// Puts a reloaded manifest's gate in place.
    mutating func reload(with newGate: PolicyGate) throws(ReloadRefusal) -> ReloadActions
}
