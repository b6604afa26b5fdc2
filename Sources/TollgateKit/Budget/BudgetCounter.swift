/// One of the four things a budget counts.
public enum BudgetCounter: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Tool calls forwarded to the server.
    case calls
    /// Cost units (`tools.X.cost` per call), in millionths.
    case cost
    /// Estimated tokens of the results the model read (see ``TokenEstimator``).
    case resultTokens
    /// Tokens of model work servers asked for (`sampling/createMessage`).
    case samplingTokens

    /// The manifest key: `calls`, `cost`, `resultTokens`, `samplingTokens`.
    public var description: String {
        switch self {
        case .calls: "calls"
        case .cost: "cost"
        case .resultTokens: "resultTokens"
        case .samplingTokens: "samplingTokens"
        }
    }

    /// An amount of this counter for people: cost as a decimal (`0.3`), the others as integers.
    public func format(_ amount: Int64) -> String {
        self == .cost ? CostUnits(micros: amount).description : String(amount)
    }

    /// An amount of this counter as JSON: a number (cost in units, exactly).
    public func json(_ amount: Int64) -> JSONValue { .number(format(amount)) }
}
