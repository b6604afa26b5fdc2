/// How a program that receives the arguments reads their numbers. Tollgate reads a number's text
/// exactly, but a server acts on the number its own JSON reader made of it: a schema holds only
/// when it holds for every reading (of the arguments and of the schema's own numbers alike).
///
/// For example `{"exclusiveMinimum": 0}` holds for `1e-400` read exactly, but a server that reads
/// doubles reads `0.0`, which it does not; and `{"type": "integer"}` holds for `1e400` exactly,
/// while a double reader reads infinity.
enum NumberReading: Sendable, CaseIterable {
    /// The exact value of the text: Tollgate's own reading (and that of readers into decimals).
    case exact
    /// Every number as the nearest double (ties to even; ±infinity beyond the largest finite
    /// double; ±0 below the smallest): JavaScript's `JSON.parse`, and readers into float64.
    case double
    /// Integer literals (no `.`, no exponent) exactly and every other number as the nearest
    /// double: Python's `json`.
    case python

    /// A number as this reading reads it; nil if `text` is not a JSON number.
    func read(_ text: String) -> ReadNumber? {
        switch self {
        case .python where Self.isIntegerLiteral(text), .exact:
            return ExactDecimal.withParts(of: text) { $0 != nil } ? .exact(text) : nil
        case .python, .double:
            return Double(text).map(ReadNumber.double)
        }
    }

    /// Whether a number's text has neither a fraction nor an exponent.
    static func isIntegerLiteral(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
    }

    /// Whether every reading reads `text` as the same value: an integer literal of at most 15
    /// digits (below 2^53, so every double reader reads it exactly).
    static func readsAlike(_ text: String) -> Bool {
        let digits = text.utf8.count - (text.utf8.first == UInt8(ascii: "-") ? 1 : 0)
        return digits <= 15 && isIntegerLiteral(text)
    }

    /// Who reads numbers this way, for messages.
    var reader: String {
        switch self {
        case .exact: "read exactly"
        case .double: "read as doubles, as JavaScript does"
        case .python: "read as Python's json reads them: integers exactly, other numbers as doubles"
        }
    }
}

/// A number as a ``NumberReading`` read it: its exact value (kept as its text) or a double.
enum ReadNumber: Sendable, Equatable, CustomStringConvertible {
    /// The exact value of this JSON number text.
    case exact(String)
    /// A double (possibly ±infinity or -0.0).
    case double(Double)

    /// -1, 0 or 1 as `lhs` is below, equal to or above `rhs`, compared exactly (as Python compares
    /// an integer with a float); -0.0 equals 0.
    static func compare(_ lhs: ReadNumber, _ rhs: ReadNumber) -> Int {
        switch (lhs, rhs) {
        case (.double(let left), .double(let right)):
            return left < right ? -1 : left > right ? 1 : 0
        case (.exact(let left), .exact(let right)):
            return ExactDecimal.compare(left, right)
        case (.exact(let left), .double(let right)):
            return ExactDecimal.compare(left, toDouble: right)
        case (.double(let left), .exact(let right)):
            return -ExactDecimal.compare(right, toDouble: left)
        }
    }

    /// The number as written for messages (`0.0`, `inf`, `9007199254740992.0`).
    var description: String {
        switch self {
        case .exact(let text): text
        case .double(let value) where value != 0 && value.isFinite && value == value.rounded() && Swift.abs(value) < 0x1p63: "\(Int64(value)).0"
        case .double(let value): "\(value)"
        }
    }
}
