/// The budget store a manifest names (`budgets.store` and the settings beside it): where it is,
/// who Tollgate is to it, under which namespace its keys live, and what happens while it cannot
/// be used. The password itself is never part of the settings: only the variable holding it.
public struct StoreSettings: Sendable, Hashable {
    /// What calls that need the store get while it cannot be reached or answers too late
    /// (`budgets.onStoreFailure`).
    public enum OnFailure: Sendable, Hashable {
        /// `budget_unavailable` with `retryAfterMs` (the default): nothing runs uncounted.
        case deny
        /// Each gate spends at most `share` of each cap (`budgets.localShare`, a fraction kept in
        /// millionths) on its own until the store is back, then adds what it spent to the store.
        case local(share: CostUnits)
    }

    /// Where the store listens.
    public var endpoint: StoreEndpoint
    /// The ACL user (`budgets.storeUser`), if not `default`.
    public var user: String?
    /// The variable holding the password (`budgets.storePassword: "${NAME}"`), withheld from
    /// every process Tollgate starts.
    public var passwordVariable: String?
    /// The keys' namespace (`budgets.namespace`).
    public var namespace: String
    /// What happens while the store cannot be used.
    public var onFailure: OnFailure
    /// How long connecting may take (`budgets.storeConnectTimeoutMs`, 1 000 by default).
    public var connectTimeoutMs: Int64
    /// How long one operation may take (`budgets.storeTimeoutMs`, 50 by default).
    public var operationTimeoutMs: Int64

    /// The defaults of the timeouts.
    public static let defaultConnectTimeoutMs: Int64 = 1000, defaultOperationTimeoutMs: Int64 = 50

    /// Creates settings.
    public init(endpoint: StoreEndpoint, user: String? = nil, passwordVariable: String? = nil, namespace: String = StoreKeys.defaultNamespace,
                onFailure: OnFailure = .deny, connectTimeoutMs: Int64 = defaultConnectTimeoutMs, operationTimeoutMs: Int64 = defaultOperationTimeoutMs) {
        self.endpoint = endpoint
        self.user = user
        self.passwordVariable = passwordVariable
        self.namespace = namespace
        self.onFailure = onFailure
        self.connectTimeoutMs = connectTimeoutMs
        self.operationTimeoutMs = operationTimeoutMs
    }

    /// The largest cap or cost a store counts exactly, in raw units (cost in millionths): the
    /// store's script computes in Lua numbers, exact below 2^53.
    public static let maxExactAmount: Int64 = (1 << 53) - 1
}
