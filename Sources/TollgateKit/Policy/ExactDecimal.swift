/// A JSON number compared exactly, whatever its size or precision: the value is
/// `±0.d₁d₂d₃… × 10^exponent` with no leading or trailing zero digits (no digits = zero).
///
/// Schema bounds are kept in this form; argument numbers are read into the same form in a
/// temporary buffer, so checking a bound allocates nothing. Small integers take a faster path.
struct ExactDecimal: Sendable, Equatable {
    /// Whether the value is below zero (never set for zero).
    var negative: Bool
    /// Significant digits as ASCII, without leading or trailing zeros; empty for zero.
    var digits: [UInt8]
    /// The decimal exponent of `0.digits`.
    var exponent: Int
    /// The value, when it is an integer that fits Int64 (the fast path).
    var smallInteger: Int64?
    /// The source text, for messages.
    var text: String

    /// Reads a JSON number's text; nil if it is not a number in JSON's grammar.
    init?(_ text: String) {
        guard let parts = Self.withParts(of: text, { $0.map { ($0.negative, Array($0.digits), $0.exponent) } }) else {
            return nil
        }
        (negative, digits, exponent) = parts
        self.text = text
        smallInteger = Self.smallInteger(text)
    }

    /// Whether the value is a whole number (`1.0` and `2e3` are).
    var isInteger: Bool { digits.count <= exponent || digits.isEmpty }

    /// The parts of a number, borrowed from a buffer that lives during a call.
    struct Parts {
        var negative: Bool
        var digits: UnsafeBufferPointer<UInt8>
        var exponent: Int

        var isInteger: Bool { digits.count <= exponent || digits.isEmpty }

        /// The value times 10^`decimals` when that is a whole number that fits Int64 (a fixed-point
        /// amount with `decimals` decimals, read without rounding); nil otherwise.
        func scaled(decimals: Int) -> Int64? {
            if digits.isEmpty { return 0 }
            let zeros = exponent + decimals - digits.count
            guard zeros >= 0, digits.count + zeros <= 19 else { return nil }
            var value: Int64 = 0
            for index in 0..<(digits.count + zeros) {
                let digit = index < digits.count ? Int64(digits[index] - 0x30) : 0
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                value = sum
            }
            return negative ? -value : value
        }
    }

    /// The integer value of `text` if it is a plain integer of at most 18 digits.
    @inline(__always)
    static func smallInteger(_ text: String) -> Int64? {
        text.utf8.count <= 18 ? Int64(text) : nil
    }

    /// Calls `body` with the parts of `text` (nil if `text` is not a JSON number).
    static func withParts<R>(of text: String, _ body: (Parts?) -> R) -> R {
        let count = text.utf8.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(count, 1)) { scratch in
            var copied = 0
            let parsed: (Bool, Int, Int)? = text.utf8.withContiguousStorageIfAvailable { source in
                parse(source, into: scratch, count: &copied)
            } ?? Array(text.utf8).withUnsafeBufferPointer { parse($0, into: scratch, count: &copied) }
            guard let (negative, integerDigits, exponent) = parsed else { return body(nil) }
            var start = 0
            while start < copied && scratch[start] == UInt8(ascii: "0") { start += 1 }
            var end = copied
            while end > start && scratch[end - 1] == UInt8(ascii: "0") { end -= 1 }
            let digits = UnsafeBufferPointer(rebasing: scratch[start..<end])
            if digits.isEmpty { return body(Parts(negative: false, digits: digits, exponent: 0)) }
            return body(Parts(negative: negative, digits: digits, exponent: integerDigits - start + exponent))
        }
    }

    /// Copies the digits of a JSON number (without the point) into `scratch`; returns the sign,
    /// the number of integer-part digits and the exponent (clamped so sums cannot overflow).
    private static func parse(
        _ source: UnsafeBufferPointer<UInt8>, into scratch: UnsafeMutableBufferPointer<UInt8>, count: inout Int
    ) -> (Bool, Int, Int)? {
        var i = 0
        let negative = i < source.count && source[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        func digit(_ offset: Int) -> Bool { offset < source.count && source[offset] &- 0x30 < 10 }
        guard digit(i) else { return nil }
        if source[i] == UInt8(ascii: "0") && digit(i + 1) { return nil }
        while digit(i) { scratch[count] = source[i]; count += 1; i += 1 }
        let integerDigits = count
        if i < source.count && source[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return nil }
            while digit(i) { scratch[count] = source[i]; count += 1; i += 1 }
        }
        var exponent = 0
        if i < source.count && (source[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < source.count && (source[i] == UInt8(ascii: "+") || source[i] == UInt8(ascii: "-")) {
                exponentNegative = source[i] == UInt8(ascii: "-")
                i += 1
            }
            guard digit(i) else { return nil }
            while digit(i) {
                exponent = min(exponent * 10 + Int(source[i] - 0x30), 1 << 40)
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        return i == source.count ? (negative, integerDigits, exponent) : nil
    }

    /// -1, 0 or 1 as `value` is below, equal to or above `self`.
    func compare(_ value: Parts) -> Int {
        digits.withUnsafeBufferPointer { Self.compare(value, Parts(negative: negative, digits: $0, exponent: exponent)) }
    }

    /// -1, 0 or 1 as `lhs` is below, equal to or above `rhs`.
    static func compare(_ lhs: Parts, _ rhs: Parts) -> Int {
        let leftSign = lhs.digits.isEmpty ? 0 : lhs.negative ? -1 : 1
        let rightSign = rhs.digits.isEmpty ? 0 : rhs.negative ? -1 : 1
        if leftSign != rightSign { return leftSign < rightSign ? -1 : 1 }
        if leftSign == 0 { return 0 }
        var magnitude = 0
        if lhs.exponent != rhs.exponent {
            magnitude = lhs.exponent < rhs.exponent ? -1 : 1
        } else {
            let shared = min(lhs.digits.count, rhs.digits.count)
            var i = 0
            while i < shared && lhs.digits[i] == rhs.digits[i] { i += 1 }
            if i < shared {
                magnitude = lhs.digits[i] < rhs.digits[i] ? -1 : 1
            } else if lhs.digits.count != rhs.digits.count {
                magnitude = lhs.digits.count < rhs.digits.count ? -1 : 1
            }
        }
        return leftSign < 0 ? -magnitude : magnitude
    }

    /// Whether two number texts have the same mathematical value (`1` equals `1.0` and `1e0`).
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        if let left = smallInteger(lhs), let right = smallInteger(rhs) { return left == right }
        return withParts(of: lhs) { left in
            withParts(of: rhs) { right in
                guard let left, let right else { return false }
                return compare(left, right) == 0
            }
        }
    }
}
