/// A rolling window for budgets (`budgets.window`): spend counts only while it is younger than
/// the window. Without a window, budgets count per run (in memory) or for the ledger's life.
///
/// Spend is kept in buckets of ``bucketMs`` (one minute for windows up to a day, so at most
/// 1 441 buckets per budget), and a bucket leaves the window only once all of it is older than
/// the window: spend made at `t` counts until at least `t + window` and at most one bucket
/// longer. The window therefore over-counts by less than one bucket, and never under-counts.
public struct BudgetWindow: Sendable, Hashable, CustomStringConvertible {
    /// The shortest window, one minute, and the longest, 31 days.
    public static let minimumMs: Int64 = 60_000, maximumMs: Int64 = 31 * 86_400_000

    /// The window's length in milliseconds.
    public let lengthMs: Int64
    /// The width of one spend bucket: one minute, or `length / 1440` rounded up to whole minutes.
    public let bucketMs: Int64

    /// Creates a window of `lengthMs` (a whole number of minutes, from 1 minute to 31 days).
    public init(lengthMs: Int64) {
        precondition(lengthMs >= Self.minimumMs && lengthMs <= Self.maximumMs && lengthMs % 60_000 == 0, "window out of range")
        self.lengthMs = lengthMs
        let minutes = (lengthMs / 60_000 + 1439) / 1440
        bucketMs = minutes * 60_000
    }

    /// Reads `"1h"` or `"1d"`, and more generally `N` followed by `min`, `h` or `d`
    /// (`"30min"`, `"12h"`, `"7d"`), from one minute to 31 days.
    public init(parsing text: String) throws(BudgetSpecError) {
        let expected = "expected a window like \"1h\" or \"1d\" (a whole number of min, h or d, from 1min to 31d)"
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = text.dropFirst(digits.count).lowercased()  // not a protocol name
        let unitMs: Int64? = switch unit {
        case "min": 60_000
        case "h": 3_600_000
        case "d": 86_400_000
        default: nil
        }
        guard !digits.isEmpty, let unitMs else { throw BudgetSpecError("\(expected), found \"\(text)\"") }
        guard digits.count <= 6, let count = Int64(digits), count >= 1, count * unitMs <= Self.maximumMs else {
            throw BudgetSpecError("\(expected), found \"\(text)\": out of range")
        }
        self.init(lengthMs: count * unitMs)
    }

    /// The canonical text: `1h`, `1d`, `90min`.
    public var description: String {
        if lengthMs % 86_400_000 == 0 { return "\(lengthMs / 86_400_000)d" }
        if lengthMs % 3_600_000 == 0 { return "\(lengthMs / 3_600_000)h" }
        return "\(lengthMs / 60_000)min"
    }
}
