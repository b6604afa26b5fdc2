extension ExactDecimal {
    /// -1, 0 or 1 as the number `lhs` is below, equal to or above `rhs` (both JSON number texts);
    /// 0 also when either is not a number.
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        if let left = smallInteger(lhs), let right = smallInteger(rhs) { return left < right ? -1 : left > right ? 1 : 0 }
        return withParts(of: lhs) { left in
            withParts(of: rhs) { right in
                guard let left, let right else { return 0 }
                return compare(left, right)
            }
        }
    }

    /// -1, 0 or 1 as the number `text` is below, equal to or above `value`, compared exactly.
    ///
    /// Rounding to the nearest double never reverses an order, so when `text` rounds to another
    /// double than `value` the two doubles tell; only when it rounds to `value` itself are the
    /// exact digits of `value` needed.
    static func compare(_ text: String, toDouble value: Double) -> Int {
        guard let rounded = Double(text) else { return 0 }
        if rounded != value { return rounded < value ? -1 : 1 }
        if !value.isFinite { return value > 0 ? -1 : 1 }  // the text is finite, however large
        return compare(text, exactText(of: value))
    }

    /// The exact value of a finite double as a JSON number text (`0x1p-1` is `5e-1`): a double is
    /// m × 2^e, which is m × 2^e exactly for e ≥ 0 and m × 5^-e × 10^e for e < 0.
    static func exactText(of value: Double) -> String {
        precondition(value.isFinite, "only finite doubles have a decimal text")
        if value == 0 { return "0" }
        var significand = value.significandBitPattern | (value.isNormal ? 1 << 52 : 0)
        var exponent = value.isNormal ? Int(value.exponent) - 52 : -1074
        while significand & 1 == 0 {
            significand >>= 1
            exponent += 1
        }
        // Base 10^9 limbs, least significant first.
        let base: UInt64 = 1_000_000_000
        var limbs: [UInt64] = []
        while significand > 0 {
            limbs.append(significand % base)
            significand /= base
        }
        // Multiply by 2^e or 5^-e, in steps whose products fit 64 bits (limb < 2^30, factor < 2^32).
        var remaining = Swift.abs(exponent)
        while remaining > 0 {
            let step = Swift.min(remaining, exponent > 0 ? 32 : 13)
            let factor: UInt64 = exponent > 0 ? 1 << UInt64(step) : (0..<step).reduce(1) { product, _ in product * 5 }
            var carry: UInt64 = 0
            for index in limbs.indices {
                let product = limbs[index] * factor + carry
                limbs[index] = product % base
                carry = product / base
            }
            while carry > 0 {
                limbs.append(carry % base)
                carry /= base
            }
            remaining -= step
        }
        var text = value < 0 ? "-" : ""
        text += String(limbs[limbs.count - 1])
        for limb in limbs.dropLast().reversed() {
            let digits = String(limb)
            text += String(repeating: "0", count: 9 - digits.utf8.count) + digits
        }
        if exponent < 0 { text += "e\(exponent)" }
        return text
    }
}
