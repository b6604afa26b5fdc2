extension JSONScanner {
    /// Whether checked JSON (bytes the scanner accepted) is exactly what ``JSONWriter`` writes
    /// for the value it holds: no whitespace outside strings, and in strings only the escapes
    /// the writer uses (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, and `\u00` with two lowercase
    /// hex digits for the other control characters). Member order and number texts are kept by
    /// the writer anyway. One pass, eight bytes at a time inside strings; on bytes that were not
    /// checked the answer is meaningless.
    public static func isCompact(checked bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            let b = base[i]
            i += 1
            if b <= 0x20 { return false }  // whitespace between tokens
            guard b == UInt8(ascii: "\"") else { continue }
            // A string: up to its closing quote, each escape as the writer writes it.
            while true {
                while i + 8 <= n {
                    let flags = bytesToEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                    if flags != 0 {
                        i += flags.trailingZeroBitCount >> 3
                        break
                    }
                    i += 8
                }
                guard i < n else { return false }
                let c = base[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    break
                }
                if c == UInt8(ascii: "\\") {
                    guard let length = writerEscapeLength(base, n, i) else { return false }
                    i += length
                } else {
                    guard c >= 0x20 else { return false }
                    i += 1
                }
            }
        }
        return true
    }

    /// The length of the escape at `i` when it is the one the writer writes for its character
    /// (nil otherwise: `\/`, `\u0041`, `\u000a` for `\n`, uppercase hex, a surrogate pair).
    @inline(__always)
    private static func writerEscapeLength(_ base: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int? {
        guard i + 1 < n else { return nil }
        switch base[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"),
            UInt8(ascii: "b"), UInt8(ascii: "f"):
            return 2
        case UInt8(ascii: "u"):
            guard i + 6 <= n, base[i + 2] == UInt8(ascii: "0"), base[i + 3] == UInt8(ascii: "0") else { return nil }
            let high = base[i + 4], low = base[i + 5]
            guard high == UInt8(ascii: "0") || high == UInt8(ascii: "1") else { return nil }
            let lowValue: UInt8
            switch low {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): lowValue = low - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): lowValue = low - UInt8(ascii: "a") + 10
            default: return nil
            }
            let value = (high - UInt8(ascii: "0")) << 4 | lowValue
            // These five have short escapes, which the writer uses.
            switch value {
            case 0x08, 0x09, 0x0A, 0x0C, 0x0D: return nil
            default: return 6
            }
        default:
            return nil
        }
    }
}
