/// Reads a regular expression written in ECMA-262's syntax, as `new RegExp(source, "u")` reads it,
/// into a ``RegexNode``.
///
/// Accepted: characters, `.`, classes with ranges, negation and escapes, alternation, groups
/// (`(…)`, `(?:…)`, `(?<name>…)`), the quantifiers `* + ? {n} {n,} {n,m}` greedy or lazy, the
/// assertions `^ $ \b \B`, the escapes `\d \D \w \W \s \S`, `\t \n \v \f \r`, `\cX`, `\0`, `\xHH`,
/// `\uHHHH` (a surrogate pair written as two is one scalar), `\u{…}`, `\` before a syntax
/// character or `/`, and `\p{…}`/`\P{…}` with a General_Category value (or `Any`, `ASCII`,
/// `Assigned`). Refused: what ECMA-262 refuses in unicode mode (a lone `{`, `}` or `]`, an
/// unknown escape such as `\a`, a quantifier with nothing to repeat …); backreferences and
/// lookaround, which no linear-time matcher can do; other properties (`\p{Script=…}`).
struct RegexParser {
    /// The longest pattern, in Unicode scalars.
    static let maxLength = 100_000
    /// The deepest nesting of groups.
    static let maxNesting = 100

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var nesting = 0
    private var groupNames: [[Unicode.Scalar]] = []

    private init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    /// Parses `source`, or says why it is refused.
    static func parse(_ source: String) throws(RegexError) -> RegexNode {
        // Counted before the scalars are copied out, so a huge pattern costs no memory.
        guard source.utf8.count <= maxLength || source.unicodeScalars.count <= maxLength else {
            throw RegexError(kind: .tooLarge, message: "the pattern is longer than \(maxLength) characters", offset: nil)
        }
        var parser = RegexParser(source)
        let node = try parser.disjunction()
        if parser.position < parser.scalars.count {
            throw parser.syntax("unmatched \")\"; write \\) for a literal parenthesis", at: parser.position)
        }
        return node
    }

    // MARK: - Structure

    /// Alternatives separated by `|`, up to a `)` or the end.
    private mutating func disjunction() throws(RegexError) -> RegexNode {
        var alternatives = [try alternative()]
        while peek() == "|" {
            position += 1
            alternatives.append(try alternative())
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    /// Terms up to a `|`, a `)` or the end.
    private mutating func alternative() throws(RegexError) -> RegexNode {
        var terms: [RegexNode] = []
        while let next = peek(), next != "|", next != ")" {
            let term = try term()
            if term != .empty { terms.append(term) }
        }
        switch terms.count {
        case 0: return .empty
        case 1: return terms[0]
        default: return .concatenation(terms)
        }
    }

    /// An assertion, or an atom with its quantifier.
    private mutating func term() throws(RegexError) -> RegexNode {
        let assertion: RegexAssertion? = switch (peek(), peek(1)) {
        case ("^", _): .start
        case ("$", _): .end
        case ("\\", "b"): .wordBoundary
        case ("\\", "B"): .notWordBoundary
        default: nil
        }
        if let assertion {
            position += assertion == .start || assertion == .end ? 1 : 2
            if let next = peek(), "*+?{".unicodeScalars.contains(next) {
                throw syntax("nothing to repeat: an assertion cannot take a quantifier", at: position)
            }
            return .assertion(assertion)
        }
        let atom = try atom()
        guard let (min, max) = try quantifier() else { return atom }
        if peek() == "?" { position += 1 }  // lazy: the same strings match
        return .repetition(atom, min: min, max: max)
    }

    /// A quantifier's bounds, or nil when none follows.
    private mutating func quantifier() throws(RegexError) -> (Int, Int?)? {
        switch peek() {
        case "*":
            position += 1
            return (0, nil)
        case "+":
            position += 1
            return (1, nil)
        case "?":
            position += 1
            return (0, 1)
        case "{":
            let start = position
            guard let bounds = braceQuantifier() else {
                throw syntax("incomplete quantifier: write {n}, {n,} or {n,m}, or \\{ for a literal brace", at: start)
            }
            if let max = bounds.1, max < bounds.0 {
                throw syntax("numbers out of order in the quantifier", at: start)
            }
            return bounds
        default:
            return nil
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current position (consumed), or nil (nothing consumed).
    private mutating func braceQuantifier() -> (Int, Int?)? {
        let start = position
        position += 1
        guard let min = number() else {
            position = start
            return nil
        }
        var max: Int? = min
        if peek() == "," {
            position += 1
            max = number()
        }
        guard peek() == "}" else {
            position = start
            return nil
        }
        position += 1
        return (min, max)
    }

    /// Decimal digits (consumed), saturating at a value far above any limit; nil if there are none.
    private mutating func number() -> Int? {
        var value: Int?
        while let next = peek(), let digit = Self.digitValue(next, radix: 10) {
            value = Swift.min((value ?? 0) * 10 + digit, 1 << 40)
            position += 1
        }
        return value
    }

    /// A character, `.`, a class, a group or an escape.
    private mutating func atom() throws(RegexError) -> RegexNode {
        let start = position
        guard let next = peek() else { throw syntax("unexpected end of pattern", at: start) }
        switch next {
        case ".":
            position += 1
            return .set(.dot)
        case "(":
            return try group()
        case "[":
            return try characterClass()
        case "\\":
            return try atomEscape()
        case "*", "+", "?":
            throw syntax("nothing to repeat: \"\(next)\" follows nothing; write \\\(next) for the character itself", at: start)
        case "{":
            if braceQuantifier() != nil {
                throw syntax("nothing to repeat: a quantifier follows nothing", at: start)
            }
            throw syntax("a lone \"{\"; write \\{ for the character itself", at: start)
        case "}", "]":
            throw syntax("a lone \"\(next)\"; write \\\(next) for the character itself", at: start)
        default:
            position += 1
            return .scalar(next.value)
        }
    }

    /// `(…)`, `(?:…)` or `(?<name>…)`; lookaround and other `(?` forms are refused.
    private mutating func group() throws(RegexError) -> RegexNode {
        let start = position
        position += 1
        if peek() == "?" {
            switch (peek(1), peek(2)) {
            case (":", _):
                position += 2
            case ("=", _), ("!", _):
                throw notLinear(
                    "\(peek(1) == "=" ? "lookahead (?=…)" : "negative lookahead (?!…)")", at: start)
            case ("<", "="), ("<", "!"):
                throw notLinear(
                    "\(peek(2) == "=" ? "lookbehind (?<=…)" : "negative lookbehind (?<!…)")", at: start)
            case ("<", _):
                position += 2
                try groupName(start: start)
            case ("P", "<"):
                throw syntax("(?P<name>…) is Python's syntax; ECMA-262 writes (?<name>…)", at: start)
            case (let flag?, _) where flag.properties.isAlphabetic || flag == "-":
                throw syntax("inline flags such as (?i) are not ECMA-262 (JSON Schema patterns have no flags); "
                    + "spell letters in both cases with classes such as [Ss]", at: start)
            default:
                throw syntax("invalid group: \"(?\" must be followed by \":\" or \"<name>\"", at: start)
            }
        }
        nesting += 1
        guard nesting <= Self.maxNesting else {
            throw RegexError(kind: .tooLarge, message: "groups are nested more than \(Self.maxNesting) deep", offset: start)
        }
        let inner = try disjunction()
        guard peek() == ")" else {
            throw syntax("the group is not closed: \")\" is missing", at: start)
        }
        position += 1
        nesting -= 1
        return inner
    }

    /// A group's name and its `>` (consumed): an identifier, used by no other group.
    private mutating func groupName(start: Int) throws(RegexError) {
        var name: [Unicode.Scalar] = []
        while let next = peek(), next != ">" {
            if next == "\\" {
                throw RegexError(kind: .unsupported, message: "escapes in group names are not supported; write the name's characters",
                                 offset: position)
            }
            let allowed = name.isEmpty
                ? next.properties.isIDStart || next == "$" || next == "_"
                : next.properties.isIDContinue || next == "$" || next == "\u{200C}" || next == "\u{200D}"
            guard allowed else { throw syntax("invalid group name: write (?<name>…) with letters, digits, _ or $", at: position) }
            name.append(next)
            position += 1
        }
        guard peek() == ">", !name.isEmpty else { throw syntax("invalid group name: write (?<name>…)", at: start) }
        position += 1
        guard !groupNames.contains(name) else { throw syntax("two groups are named \(String(String.UnicodeScalarView(name)))", at: start) }
        groupNames.append(name)
    }

    // MARK: - Escapes

    /// What follows a `\` outside a class (`\b` and `\B` were taken as assertions).
    private mutating func atomEscape() throws(RegexError) -> RegexNode {
        let start = position
        position += 1
        guard let letter = peek() else { throw syntax("\\ at the end of the pattern", at: start) }
        switch letter {
        case "1"..."9":
            throw notLinear("a backreference (\\\(letter))", at: start)
        case "k":
            throw notLinear("a backreference (\\k<name>)", at: start)
        case "d", "D", "w", "W", "s", "S":
            position += 1
            return .set(ScalarSet(ranges: ScalarSet.escapeRanges(letter) ?? []))
        case "p", "P":
            position += 1
            return .set(try property(negated: letter == "P", start: start))
        default:
            return .scalar(try characterEscape(start: start, inClass: false))
        }
    }

    /// A character escape whose letter is at the current position (consumed), `start` being the `\`.
    private mutating func characterEscape(start: Int, inClass: Bool) throws(RegexError) -> UInt32 {
        guard let letter = peek() else { throw syntax("\\ at the end of the pattern", at: start) }
        position += 1
        switch letter {
        case "t": return 0x09
        case "n": return 0x0A
        case "v": return 0x0B
        case "f": return 0x0C
        case "r": return 0x0D
        case "b" where inClass: return 0x08
        case "-" where inClass: return 0x2D
        case "c":
            guard let control = peek(), control.isASCII, control.properties.isAlphabetic else {
                throw syntax("\\c must be followed by a letter A-Z or a-z", at: start)
            }
            position += 1
            return control.value % 32
        case "0":
            if let next = peek(), Self.digitValue(next, radix: 10) != nil {
                throw syntax("octal escapes are not ECMA-262 in unicode mode; write \\xHH or \\u{…}", at: start)
            }
            return 0
        case "x":
            guard let high = peek().flatMap({ Self.digitValue($0, radix: 16) }), let low = peek(1).flatMap({ Self.digitValue($0, radix: 16) }) else {
                throw syntax("\\x must be followed by two hexadecimal digits", at: start)
            }
            position += 2
            return UInt32(high * 16 + low)
        case "u":
            return try unicodeEscape(start: start)
        case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/":
            return letter.value
        default:
            throw syntax("\\\(letter) is not an escape ECMA-262 defines in unicode mode; write the character itself, "
                + "or \\ only before one of ^ $ \\ . * + ? ( ) [ ] { } | /", at: start)
        }
    }

    /// `\uHHHH` (two of them for a surrogate pair) or `\u{H…}`, after the `u` (consumed).
    private mutating func unicodeEscape(start: Int) throws(RegexError) -> UInt32 {
        if peek() == "{" {
            position += 1
            var value: UInt32 = 0
            var digits = 0
            while let next = peek(), let digit = Self.digitValue(next, radix: 16) {
                value = Swift.min(value * 16 + UInt32(digit), 0x110000)
                digits += 1
                position += 1
            }
            guard digits > 0, peek() == "}", value <= 0x10FFFF else {
                throw syntax("\\u{…} must hold a hexadecimal value up to 10FFFF", at: start)
            }
            position += 1
            return value
        }
        guard let unit = fourHexDigits(at: position) else {
            throw syntax("\\u must be followed by four hexadecimal digits or {…}", at: start)
        }
        position += 4
        if (0xD800...0xDBFF).contains(unit), peek() == "\\", peek(1) == "u", let trail = fourHexDigits(at: position + 2),
           (0xDC00...0xDFFF).contains(trail) {
            position += 6
            return 0x10000 + (unit - 0xD800) << 10 + (trail - 0xDC00)
        }
        return unit
    }

    /// The value of four hexadecimal digits at `offset`, or nil.
    private func fourHexDigits(at offset: Int) -> UInt32? {
        var value: UInt32 = 0
        for index in offset..<(offset + 4) {
            guard index < scalars.count, let digit = Self.digitValue(scalars[index], radix: 16) else { return nil }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    /// `\p{…}` or `\P{…}` after the letter (consumed): a General_Category value, or `Any`, `ASCII`, `Assigned`.
    private mutating func property(negated: Bool, start: Int) throws(RegexError) -> ScalarSet {
        guard peek() == "{" else { throw syntax("\\p and \\P must be followed by {name}", at: start) }
        position += 1
        // Names are ASCII letters, digits and "_" (checked), so comparing them as Strings compares bytes.
        var text = ""
        while let next = peek(), next != "}" {
            guard next.isASCII, next.properties.isAlphabetic || next == "_" || next == "=" || Self.digitValue(next, radix: 10) != nil else {
                throw syntax("invalid property name in \\p{…}", at: start)
            }
            text.unicodeScalars.append(next)
            position += 1
        }
        guard peek() == "}" else { throw syntax("\\p{ is not closed by }", at: start) }
        position += 1
        let parts = text.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else { throw syntax("invalid property name in \\p{…}", at: start) }
        if parts.count == 2, parts[0] != "General_Category", parts[0] != "gc" {
            throw RegexError(kind: .unsupported, message: "\\p{\(text)} is not supported: only General_Category values "
                + "such as \\p{L}, \\p{Lu} or \\p{gc=Nd} are", offset: start)
        }
        let name = parts[parts.count - 1]
        let categories: GeneralCategories
        switch name {
        case "Any" where parts.count == 1: categories = .all
        case "Assigned" where parts.count == 1: categories = GeneralCategories.all.subtracting(GeneralCategories(.unassigned))
        case "ASCII" where parts.count == 1: return ScalarSet(ranges: [0...0x7F], negated: negated)
        default:
            guard let named = GeneralCategories.named(name) else {
                throw RegexError(kind: .unsupported, message: "\\p{\(text)} is not supported: only General_Category values "
                    + "such as \\p{L}, \\p{Lu} or \\p{Nd} (and Any, ASCII, Assigned) are", offset: start)
            }
            categories = named
        }
        return ScalarSet(ranges: [], categories: negated ? GeneralCategories.all.subtracting(categories) : categories)
    }

    // MARK: - Classes

    /// One element of a class: a scalar, or the ranges and categories of an escape such as `\d`.
    private enum ClassAtom {
        case scalar(UInt32)
        case set([ClosedRange<UInt32>], GeneralCategories)
    }

    /// `[…]` or `[^…]`.
    private mutating func characterClass() throws(RegexError) -> RegexNode {
        let start = position
        position += 1
        let negated = peek() == "^"
        if negated { position += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var categories = GeneralCategories()
        while true {
            guard let next = peek() else { throw syntax("the class is not closed: \"]\" is missing", at: start) }
            if next == "]" {
                position += 1
                break
            }
            let atomStart = position
            let first = try classAtom()
            if peek() == "-", let after = peek(1), after != "]" {
                position += 1
                let second = try classAtom()
                guard case .scalar(let low) = first, case .scalar(let high) = second else {
                    throw syntax("a range in a class needs a character at each end, not an escape such as \\d", at: atomStart)
                }
                guard low <= high else { throw syntax("the range is out of order", at: atomStart) }
                ranges.append(low...high)
                continue
            }
            switch first {
            case .scalar(let value): ranges.append(value...value)
            case .set(let escaped, let escapedCategories):
                ranges += escaped
                categories.formUnion(escapedCategories)
            }
        }
        let set = ScalarSet(ranges: ranges, categories: categories, negated: negated)
        if !negated, categories.isEmpty, set.ranges.count == 1, set.ranges[0].count == 1 {
            return .scalar(set.ranges[0].lowerBound)  // [a] is a
        }
        return .set(set)
    }

    /// A character or escape inside a class.
    private mutating func classAtom() throws(RegexError) -> ClassAtom {
        let start = position
        guard let next = peek() else { throw syntax("the class is not closed: \"]\" is missing", at: start) }
        position += 1
        guard next == "\\" else { return .scalar(next.value) }
        guard let letter = peek() else { throw syntax("\\ at the end of the pattern", at: start) }
        switch letter {
        case "d", "D", "w", "W", "s", "S":
            position += 1
            return .set(ScalarSet.escapeRanges(letter) ?? [], [])
        case "p", "P":
            position += 1
            let set = try property(negated: letter == "P", start: start)
            // A property set is either ranges (ASCII) or categories, never negated.
            return .set(set.isNegated ? ScalarSet.complement(set.ranges) : set.ranges, set.categories)
        default:
            return .scalar(try characterEscape(start: start, inClass: true))
        }
    }

    // MARK: - Helpers

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private static func digitValue(_ scalar: Unicode.Scalar, radix: Int) -> Int? {
        switch scalar {
        case "0"..."9": Int(scalar.value) - 0x30
        case "a"..."f" where radix == 16: Int(scalar.value) - 0x61 + 10
        case "A"..."F" where radix == 16: Int(scalar.value) - 0x41 + 10
        default: nil
        }
    }

    private func syntax(_ message: String, at offset: Int) -> RegexError {
        RegexError(kind: .syntax, message: message, offset: offset)
    }

    private func notLinear(_ construct: String, at offset: Int) -> RegexError {
        RegexError(kind: .notLinear, message: "\(construct) is not supported: it cannot be matched in linear time, "
            + "and Tollgate matches patterns without backtracking (docs/manifest.md, \"pattern\", says what to write instead)",
            offset: offset)
    }
}
