/// A change in whether the store can be used, reported once per change (on stderr and, with an
/// audit trail, as a `budget-store` record): it became unavailable (calls that need it are
/// denied, or counted locally within the local share), or it is back (local spend reconciled).
public struct StoreNotice: Sendable, Hashable {
    /// Where the store stands now.
    public enum State: String, Sendable, Hashable {
        /// Reachable again; any local spend was added to it.
        case available
        /// Unreachable or too slow: calls that need it are denied (`budget_unavailable`).
        case unavailable
        /// Unreachable or too slow: calls are counted locally, within the local share.
        case local
    }

    /// Where the store stands now.
    public var state: State
    /// The store's URL.
    public var store: String
    /// What happened, for people.
    public var message: String

    /// Creates a notice.
    public init(state: State, store: String, message: String) {
        self.state = state
        self.store = store
        self.message = message
    }
}
