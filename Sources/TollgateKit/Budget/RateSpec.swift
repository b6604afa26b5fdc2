/// A rate limit as written in a manifest: a whole number of calls per interval (`"30/min"`).
///
/// Grammar: `COUNT "/" UNIT`, optionally with spaces around the slash, where `COUNT` is a whole
/// number from 1 to ``maxCount`` and `UNIT` is one of (case-insensitive):
/// `s`, `sec`, `secs`, `second`, `seconds`; `min`, `mins`, `minute`, `minutes`;
/// `h`, `hr`, `hrs`, `hour`, `hours`; `d`, `day`, `days`.
/// `m` is refused because it could mean minutes or months; `0/min` is refused (deny the tool
/// instead). The rate is kept exactly as `count` tokens per `intervalMs` milliseconds.
public struct RateSpec: Sendable, Hashable, CustomStringConvertible {
    /// The largest count accepted (keeps the token bucket's integer arithmetic far from overflow).
    public static let maxCount: Int64 = 1_000_000

    /// Tokens granted per interval.
    public let count: Int64
    /// The interval in milliseconds: 1 000, 60 000, 3 600 000 or 86 400 000.
    public let intervalMs: Int64

    /// Creates a rate of `count` per `intervalMs` (both at least 1).
    public init(count: Int64, intervalMs: Int64) {
        precondition(count >= 1 && count <= Self.maxCount && intervalMs >= 1, "rate out of range")
        self.count = count
        self.intervalMs = intervalMs
    }

    /// Reads a rate such as `"30/min"`, `"5/s"`, `"1000/h"` or `"20000/day"`.
    public init(parsing text: String) throws(BudgetSpecError) {
        let example = "expected a rate like \"30/min\" (a whole number of calls per s, min, h or day)"
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw BudgetSpecError("\(example), found \"\(text)\"") }
        let countText = Self.trimmed(parts[0])
        let unitText = Self.trimmed(parts[1]).lowercased()  // not a protocol name
        guard !countText.isEmpty, countText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw BudgetSpecError("\(example), found \"\(text)\": \"\(countText)\" is not a whole number")
        }
        guard let count = Int64(countText), count >= 1, count <= Self.maxCount else {
            throw BudgetSpecError("\(example), found \"\(text)\": the count must be between 1 and \(Self.maxCount)")
        }
        guard let interval = Self.intervalMs(unit: unitText) else {
            let hint = unitText == "m" ? " (write min for minutes)" : ""
            throw BudgetSpecError("\(example), found \"\(text)\": unknown unit \"\(unitText)\"\(hint)")
        }
        self.init(count: count, intervalMs: interval)
    }

    /// The interval of a unit name, or nil.
    static func intervalMs(unit: String) -> Int64? {
        switch unit {
        case "s", "sec", "secs", "second", "seconds": 1_000
        case "min", "mins", "minute", "minutes": 60_000
        case "h", "hr", "hrs", "hour", "hours": 3_600_000
        case "d", "day", "days": 86_400_000
        default: nil
        }
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }

    /// The canonical text: `30/min`, `5/s`, `100/h`, `1000/day`.
    public var description: String {
        let unit = switch intervalMs {
        case 1_000: "s"
        case 60_000: "min"
        case 3_600_000: "h"
        case 86_400_000: "day"
        default: "\(intervalMs)ms"
        }
        return "\(count)/\(unit)"
    }
}
