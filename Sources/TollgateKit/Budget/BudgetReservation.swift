/// A call's place in the budgets, taken before the call is forwarded: its call and cost are
/// counted from the moment it is reserved. Settle it with the result's tokens when the call
/// ends; release it only if the call was never sent to the server.
///
/// A reservation belongs to the ``BudgetState`` or ``Ledger`` that made it.
public struct BudgetReservation: Sendable, Hashable {
    /// The tool called.
    public let tool: String
    /// When it was reserved (its spend is counted in that time's window bucket).
    public let time: Int64
    /// What was counted: one call and its cost.
    public let amount: BudgetUsage
    /// The largest result the call may return (`tools.X.maxResultTokens`), if any.
    public let maxResultTokens: Int64?
    /// The route the call took in its state (the budgets it counts against).
    let route: Int
    /// Whether a store's account counted it locally, during an outage (see ``StoreAccount``).
    var isLocal = false
}
