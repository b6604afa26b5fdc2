/// Calls the effects refused after the session let them through (``EffectRefusal``): nothing
/// of such a call has reached a child. The session forgets it and the client gets the denial.
extension HostSession {
    /// Takes the refused calls out of what a decision returned (their lines for the children,
    /// the approvers they would start) and answers each one still in flight. A refused call's
    /// line never goes out, also when it was answered meanwhile (then the client gets nothing more).
    public mutating func refuse(_ refusals: [EffectRefusal], in actions: inout HostActions) {
        for refusal in refusals {
            guard forget(refusal.id, in: &actions) else {
                _ = actions.takeOut(call: refusal.id)
                actions.log(refusal.answeredAlreadyLog)
                continue
            }
            actions.sendClient(refusal.reply)
            actions.log(refusal.log)
        }
    }

    /// Takes refused call `id`'s line out of a later line's actions.
    public static func takeOut(refusedCall id: RequestID, from actions: inout HostActions) {
        _ = actions.takeOut(call: id)
    }

    /// The calls in `actions` that were parked until their child started, decided before.
    public static func callsDecidedBefore(in actions: HostActions) -> [RequestID] {
        actions.forwardedCalls.filter(\.decidedBefore).map(\.id)
    }

    /// Takes out of `actions` the parked calls sent on that are no longer in flight under the id
    /// they were sent with: the thread that decided them took their refusal and answered them.
    public mutating func takeOutCallsNoLongerInFlight(from actions: inout HostActions) {
        for call in actions.forwardedCalls where call.decidedBefore && ids.cancellation(ofClientID: call.id)?.id != call.sentID {
            _ = actions.takeOut(call: call.id)
        }
    }
}
