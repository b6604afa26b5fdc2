extension ScalarSet {
    /// `\d`: ASCII digits, as in ECMA-262.
    static let digitRanges: [ClosedRange<UInt32>] = [0x30...0x39]
    /// `\w`: ASCII letters, digits and `_`, as in ECMA-262 (without the `i` flag).
    static let wordRanges: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// `\s`: ECMA-262's WhiteSpace (tab, vertical tab, form feed, space, no-break space, U+FEFF and
    /// the Space_Separator characters) and LineTerminator (LF, CR, U+2028, U+2029).
    static let spaceRanges: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
        0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ]
    /// ECMA-262's line terminators, which `.` does not match.
    static let lineTerminatorRanges: [ClosedRange<UInt32>] = [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]

    /// `.`: any scalar but a line terminator.
    static let dot = ScalarSet(ranges: lineTerminatorRanges, negated: true)

    /// Whether the scalar with this value is a `\w` character (for `\b`).
    @inline(__always)
    static func isWord(_ value: UInt32) -> Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A: true
        default: false
        }
    }

    /// The ranges of `\d \D \w \W \s \S` (`letter` is `d`, `w` or `s`, upper case for the complement).
    static func escapeRanges(_ letter: Unicode.Scalar) -> [ClosedRange<UInt32>]? {
        switch letter {
        case "d": digitRanges
        case "D": complement(digitRanges)
        case "w": wordRanges
        case "W": complement(wordRanges)
        case "s": spaceRanges
        case "S": complement(spaceRanges)
        default: nil
        }
    }
}
