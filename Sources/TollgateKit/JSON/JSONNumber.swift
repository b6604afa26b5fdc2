/// Helpers for numbers kept as their JSON source text.
public enum JSONNumber {
    /// Whether the number's mathematical value is a whole number (`3`, `-0`, `1.0`, `2e3`).
    public static func isInteger(_ text: String) -> Bool {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return true
        }
        guard let value = Double(text), value.isFinite else { return false }
        return value.rounded(.towardZero) == value
    }

    /// The number as a Double (huge values become ±infinity, which still compares correctly).
    public static func doubleValue(_ text: String) -> Double {
        Double(text) ?? .nan
    }
}
