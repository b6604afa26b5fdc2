/// An amount of cost units (`tools.X.cost`, `budgets.cost`), kept exactly as a whole number of
/// millionths: `0.1 + 0.2` is exactly `0.3`, and a cap is crossed at exactly the right call.
///
/// Costs are read from a JSON number's text without going through `Double`; a cost needs at most
/// six decimals (`0.000001` is the smallest step) and at most ``max`` units.
public struct CostUnits: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Millionths per unit.
    public static let scale: Int64 = 1_000_000
    /// The largest amount: 9 000 000 000 000 units.
    public static let max = CostUnits(micros: 9_000_000_000_000 * scale)
    /// No cost.
    public static let zero = CostUnits(micros: 0)

    /// The amount in millionths of a unit.
    public var micros: Int64

    /// Creates an amount from millionths.
    public init(micros: Int64) { self.micros = micros }

    /// Creates an amount of whole units.
    public init(units: Int64) { micros = units * Self.scale }

    /// Reads a JSON number's text (`2`, `0.25`, `1e-3`, `1.5E+2`): non-negative, at most six
    /// decimals after scaling, at most ``max``.
    public init(parsing text: String) throws(BudgetSpecError) {
        guard let micros = Self.parseMicros(Array(text.utf8)) else {
            throw BudgetSpecError("expected a non-negative number of cost units with at most 6 decimals, up to 9e12, found \(text)")
        }
        self.micros = micros
    }

    /// Orders amounts by value.
    public static func < (lhs: CostUnits, rhs: CostUnits) -> Bool { lhs.micros < rhs.micros }

    /// The amount as the shortest decimal text: `0.3`, `12`, `0.000001`.
    public var description: String {
        let sign = micros < 0 ? "-" : ""
        let magnitude = micros.magnitude
        let whole = magnitude / UInt64(Self.scale)
        var fraction = magnitude % UInt64(Self.scale)
        if fraction == 0 { return "\(sign)\(whole)" }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }

    /// Millionths of a JSON number text, or nil when it is not a non-negative JSON number that
    /// is a whole number of millionths within range.
    static func parseMicros(_ text: [UInt8]) -> Int64? {
        guard text.first != UInt8(ascii: "-") else { return nil }
        let micros = ExactDecimal.withParts(of: String(decoding: text, as: UTF8.self)) { $0?.scaled(decimals: 6) }
        guard let micros, micros <= max.micros else { return nil }
        return micros
    }
}
