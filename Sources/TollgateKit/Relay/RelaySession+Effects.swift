/// Calls the effects refused after the session let them through (``EffectRefusal``): a budget
/// another process spent meanwhile, a ledger or an audit log that cannot be written. Nothing of
/// such a call has reached the server: the session forgets it and the client gets the denial.
extension RelaySession {
    /// Takes the refused calls out of what a decision returned (their forwarded bytes, the
    /// approvers they would start) and answers each one still in flight. A refused call's bytes
    /// never go out, also when it was answered meanwhile (its timeout fired while its record was
    /// being written, say): then the client, answered already, gets nothing more.
    public mutating func refuse(_ refusals: [EffectRefusal], in actions: inout RelayActions) {
        var logs = actions.log.map { [$0] } ?? []
        for refusal in refusals {
            let inFlight = forget(refusal.id, in: &actions)
            logs.append(inFlight ? refusal.log : refusal.answeredAlreadyLog)
            let wasBatchElement = Self.removeCall(refusal.id, from: &actions)
            guard inFlight else { continue }
            // A batch's element is answered in a batch (Tollgate's own answers are one).
            actions.reply = wasBatchElement ? Self.adding(refusal.reply, toBatch: actions.reply) : (actions.reply ?? []) + refusal.reply
        }
        actions.log = logs.isEmpty ? nil : logs.joined(separator: "; ")
    }

    /// Takes refused call `id` out of a later line's forwarded call or batch.
    public static func takeOut(refusedCall id: RequestID, from actions: inout RelayActions) {
        _ = removeCall(id, from: &actions)
    }

    /// Takes call `id` out of the forwarded call or batch of `actions`; true when it was an
    /// element of a batch.
    private static func removeCall(_ id: RequestID, from actions: inout RelayActions) -> Bool {
        switch actions.forward {
        case .call(let call)? where call.id == id:
            actions.forward = nil
            return false
        case .batch(var elements)?:
            let count = elements.count
            elements.removeAll { element in
                if case .call(let call) = element { return call.id == id }
                return false
            }
            actions.forward = elements.isEmpty ? nil : .batch(elements)
            return elements.count < count
        default:
            return false
        }
    }

    /// None: with one server every call is sent by the thread that decided it (an approved call
    /// by the approver's, which queued its approval's records).
    public static func callsDecidedBefore(in actions: RelayActions) -> [RequestID] { [] }

    /// Nothing to take out (``callsDecidedBefore(in:)``).
    public mutating func takeOutCallsNoLongerInFlight(from actions: inout RelayActions) {}

    /// Forgets a refused call: forwarded (pending, with its timer) or held for approval (its
    /// elicitation cancelled, its approver not started). False when it is no longer in flight.
    private mutating func forget(_ id: RequestID, in actions: inout RelayActions) -> Bool {
        if pending.remove(id) != nil {
            if usesTimers { timers.remove(.request(id)) }
            return true
        }
        guard holdsCalls else { return false }
        var toClient = actions.reply ?? []
        guard approvals.withdraw(id, toClient: &toClient, approvers: &actions.approvers, timers: &timers) else { return false }
        actions.reply = toClient.isEmpty ? nil : toClient
        return true
    }

    /// `reply` (a whole line) as one more element of the batch `batch` (a whole line, or nil).
    static func adding(_ reply: [UInt8], toBatch batch: [UInt8]?) -> [UInt8] {
        guard var batch, batch.count >= 3, batch.first == UInt8(ascii: "["), batch.suffix(2) == [UInt8(ascii: "]"), 0x0A] else {
            return (batch ?? []) + array(of: [trimmed(reply)])
        }
        batch.removeLast(2)
        batch.append(UInt8(ascii: ","))
        batch += trimmed(reply)
        batch += [UInt8(ascii: "]"), 0x0A]
        return batch
    }
}
