/// Generates, reproducibly from a seed, regular expressions in the subset Tollgate supports and
/// strings to search, over a small alphabet with non-ASCII letters, a combining mark, line
/// terminators and astral scalars, so that matches and near misses are both common.
struct PatternGenerator {
    private var random: SplitMix64
    private var groupNames = 0

    /// The scalars patterns and strings are made of.
    static let alphabet: [Unicode.Scalar] = [
        "a", "b", "c", "A", "1", "_", "-", " ", ".", "é", "Ω", "\u{301}", "\n", "\r", "\u{2028}", "\u{A0}", "\u{1D538}", "😀",
    ]
    /// Escapes valid outside and inside classes.
    private static let escapes = [
        #"\d"#, #"\D"#, #"\w"#, #"\W"#, #"\s"#, #"\S"#, #"\n"#, #"\r"#, #"\t"#, #"\x61"#, #"\u00e9"#, #"\u{1D538}"#,
        #"\uD83D\uDE00"#, #"\u2028"#, #"\cJ"#, #"\/"#, #"\."#, #"\p{L}"#, #"\P{L}"#, #"\p{Lu}"#, #"\p{Ll}"#,
        #"\p{Nd}"#, #"\p{Zs}"#, #"\p{So}"#, #"\p{Mn}"#, #"\p{Zl}"#, #"\p{P}"#, #"\p{gc=Lo}"#, #"\P{ASCII}"#, #"\p{Any}"#,
    ]
    /// Characters that must be escaped to stand for themselves.
    private static let syntaxCharacters: Set<Unicode.Scalar> = ["^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/", "-"]

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// A valid pattern.
    mutating func pattern() -> String {
        groupNames = 0
        return disjunction(depth: 0)
    }

    /// A string of 0 to 10 scalars.
    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<int(0...10) { scalars.append(Self.alphabet.randomElement(using: &random)!) }
        return String(scalars)
    }

    /// `pattern` with one scalar inserted, deleted or replaced, often making it invalid.
    mutating func mutated(_ pattern: String) -> String {
        var scalars = Array(pattern.unicodeScalars)
        let noise: [Unicode.Scalar] = ["(", ")", "[", "]", "{", "}", "|", "*", "+", "?", "\\", "^", "$", "-", ",", "0", "1", "2", "k", "<", ">", "=", "!", "p", "u", "x", "c", "b", ":"]
        let index = int(0...scalars.count)
        switch int(0...2) {
        case 0: scalars.insert(noise.randomElement(using: &random)!, at: index)
        case 1 where index < scalars.count: scalars.remove(at: index)
        default: if index < scalars.count { scalars[index] = noise.randomElement(using: &random)! }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    private mutating func disjunction(depth: Int) -> String {
        let count = int(0...9) < 7 ? 1 : int(2...3)
        return (0..<count).map { _ in alternative(depth: depth) }.joined(separator: "|")
    }

    private mutating func alternative(depth: Int) -> String {
        (0..<int(0...4)).map { _ in term(depth: depth) }.joined()
    }

    private mutating func term(depth: Int) -> String {
        if int(0...99) < 12 { return [#"^"#, #"$"#, #"\b"#, #"\B"#].randomElement(using: &random)! }
        let atom = atom(depth: depth)
        return int(0...99) < 40 ? atom + quantifier() : atom
    }

    private mutating func atom(depth: Int) -> String {
        switch int(0...99) {
        case 0..<45: return literal()
        case 45..<50: return "."
        case 50..<52: return #"(?:\0)"#  // never followed by a digit
        case 52..<66: return Self.escapes.randomElement(using: &random)!
        case 66..<82: return characterClass()
        default:
            guard depth < 3 else { return literal() }
            let opening: String
            switch int(0...2) {
            case 0: opening = "("
            case 1: opening = "(?:"
            default:
                groupNames += 1
                opening = "(?<g\(groupNames)>"
            }
            return opening + disjunction(depth: depth + 1) + ")"
        }
    }

    private mutating func literal() -> String {
        let scalar = Self.alphabet.randomElement(using: &random)!
        let text = String(scalar)
        return Self.syntaxCharacters.contains(scalar) ? (scalar == "-" ? "\\x2D" : "\\" + text) : text
    }

    private mutating func quantifier() -> String {
        let base: String
        switch int(0...5) {
        case 0: base = "*"
        case 1: base = "+"
        case 2: base = "?"
        case 3: base = "{\(int(0...3))}"
        case 4: base = "{\(int(0...3)),}"
        default:
            let low = int(0...3)
            base = "{\(low),\(low + int(0...3))}"
        }
        return int(0...3) == 0 ? base + "?" : base
    }

    private mutating func characterClass() -> String {
        var text = int(0...3) == 0 ? "[^" : "["
        for _ in 0..<int(0...4) {
            switch int(0...9) {
            case 0..<4: text += classLiteral()
            case 4..<7:
                let pair = [Self.alphabet.randomElement(using: &random)!, Self.alphabet.randomElement(using: &random)!].sorted { $0.value < $1.value }
                text += classLiteral(pair[0]) + "-" + classLiteral(pair[1])
            default: text += ([#"\b"#, #"\-"#] + Self.escapes).randomElement(using: &random)!
            }
        }
        return text + "]"
    }

    private mutating func classLiteral(_ chosen: Unicode.Scalar? = nil) -> String {
        let scalar = chosen ?? Self.alphabet.randomElement(using: &random)!
        return Self.syntaxCharacters.contains(scalar) ? "\\" + String(scalar) : String(scalar)
    }
}
