/// The answer to a reservation: reserved or refused, with the threshold crossings the change
/// (or, with a ledger, other processes' spend read meanwhile) caused.
public enum BudgetDecision: Sendable, Hashable {
    /// The call may be forwarded; settle or release the reservation later.
    case reserved(BudgetReservation, crossings: [BudgetCrossing])
    /// The call must be denied; nothing was counted.
    case exhausted(BudgetExhausted, crossings: [BudgetCrossing])
    /// The call must be denied: a rate limit the account keeps (a store's, shared by every gate;
    /// see ``BudgetAccount/limitsRates``) has no token for it; nothing was counted.
    case rateLimited(retryAfterMs: Int64, scope: BudgetScope, rate: RateSpec)

    /// The crossings to report.
    public var crossings: [BudgetCrossing] {
        switch self {
        case .reserved(_, let crossings), .exhausted(_, let crossings): crossings
        case .rateLimited: []
        }
    }

    /// The reservation, if reserved.
    public var reservation: BudgetReservation? {
        if case .reserved(let reservation, _) = self { return reservation }
        return nil
    }
}
