/// A sum of money-like amounts (`cost`), kept exactly in billionths so that `0.1 + 0.2` is `0.3`.
/// Amounts finer than a billionth are rounded to the nearest billionth; sums saturate.
public struct AuditAmount: Sendable, Equatable, Comparable {
    /// The amount in billionths.
    public var nanos: Int64

    /// Zero.
    public static let zero = AuditAmount(nanos: 0)

    /// An amount of billionths.
    public init(nanos: Int64) { self.nanos = nanos }

    /// Reads a JSON number's text (`0.0125`, `3`, `1e-3`); nil when it is not one or out of range.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        let simple = bytes.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        if simple, let value = Self.parseDecimal(bytes) {
            nanos = value
        } else if let double = Double(text), double.isFinite, abs(double) < 9e9 {
            nanos = Int64((double * 1e9).rounded())
        } else {
            return nil
        }
    }

    /// `-?digits(.digits)?` to billionths, rounding half away from zero past nine decimals.
    private static func parseDecimal(_ bytes: [UInt8]) -> Int64? {
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var whole: Int64 = 0, fraction: Int64 = 0, fractionDigits = 0, roundUp = false, seenPoint = false, digits = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            digits += 1
            if !seenPoint {
                guard whole < 9_000_000_000 / 10 else { return nil }
                whole = whole * 10 + digit
            } else if fractionDigits < 9 {
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else if fractionDigits == 9 {
                roundUp = digit >= 5
                fractionDigits += 1
            }
        }
        guard digits > 0 else { return nil }
        for _ in min(fractionDigits, 9)..<9 { fraction *= 10 }
        let value = whole * 1_000_000_000 + fraction + (roundUp ? 1 : 0)
        return negative ? -value : value
    }

    public static func + (lhs: AuditAmount, rhs: AuditAmount) -> AuditAmount {
        let (sum, overflow) = lhs.nanos.addingReportingOverflow(rhs.nanos)
        return AuditAmount(nanos: overflow ? (rhs.nanos > 0 ? .max : .min) : sum)
    }

    public static func < (lhs: AuditAmount, rhs: AuditAmount) -> Bool { lhs.nanos < rhs.nanos }

    /// The amount as a JSON number's text, without trailing zeros (`0.3`, `12`, `-0.000000001`).
    public var text: String {
        let magnitude = nanos.magnitude
        var result = nanos < 0 ? "-" : ""
        result += String(magnitude / 1_000_000_000)
        var fraction = String(magnitude % 1_000_000_000)
        guard fraction != "0" else { return result }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return result + "." + fraction
    }
}
