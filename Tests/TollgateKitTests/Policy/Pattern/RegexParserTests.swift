import Testing
@testable import TollgateKit

@Suite("Regex parser")
struct RegexParserTests {
    /// The tree for `source`, which must parse.
    private func parse(_ source: String) throws -> RegexNode {
        try RegexParser.parse(source)
    }

    /// The error for `source`, which must be refused.
    private func refusal(_ source: String) -> RegexError? {
        do throws(RegexError) {
            _ = try RegexParser.parse(source)
            return nil
        } catch {
            return error
        }
    }

    @Test("characters, concatenation, alternation and groups")
    func structure() throws {
        #expect(try parse("") == .empty)
        #expect(try parse("a") == .scalar(0x61))
        #expect(try parse("ab") == .concatenation([.scalar(0x61), .scalar(0x62)]))
        #expect(try parse("a|b|") == .alternation([.scalar(0x61), .scalar(0x62), .empty]))
        #expect(try parse("(a)(?:b)(?<name>c)()") == .concatenation([.scalar(0x61), .scalar(0x62), .scalar(0x63)]))
        #expect(try parse("(a|b)c") == .concatenation([.alternation([.scalar(0x61), .scalar(0x62)]), .scalar(0x63)]))
        #expect(try parse("é😀/") == .concatenation([.scalar(0xE9), .scalar(0x1F600), .scalar(0x2F)]))
    }

    @Test("quantifiers, greedy and lazy, become repetitions")
    func quantifiers() throws {
        let a = RegexNode.scalar(0x61)
        #expect(try parse("a*") == .repetition(a, min: 0, max: nil))
        #expect(try parse("a+?") == .repetition(a, min: 1, max: nil))
        #expect(try parse("a?") == .repetition(a, min: 0, max: 1))
        #expect(try parse("a{3}") == .repetition(a, min: 3, max: 3))
        #expect(try parse("a{2,}?") == .repetition(a, min: 2, max: nil))
        #expect(try parse("a{2,5}") == .repetition(a, min: 2, max: 5))
        #expect(try parse("(?:ab)*") == .repetition(.concatenation([a, .scalar(0x62)]), min: 0, max: nil))
        #expect(try parse("a{99999999999999999999}") == .repetition(a, min: 1 << 40, max: 1 << 40), "counts saturate")
    }

    @Test("assertions")
    func assertions() throws {
        #expect(try parse(#"^\b\B$"#) == .concatenation([
            .assertion(.start), .assertion(.wordBoundary), .assertion(.notWordBoundary), .assertion(.end),
        ]))
    }

    @Test("character escapes give their scalar", arguments: [
        (#"\t"#, 0x09), (#"\n"#, 0x0A), (#"\v"#, 0x0B), (#"\f"#, 0x0C), (#"\r"#, 0x0D), (#"\0"#, 0),
        (#"\cJ"#, 0x0A), (#"\cj"#, 0x0A), (#"\x41"#, 0x41), (#"\u00e9"#, 0xE9), (#"\u{1F600}"#, 0x1F600),
        (#"\u{0000000061}"#, 0x61), (#"\uD83D\uDE00"#, 0x1F600), (#"\uD83D"#, 0xD83D), (#"\/"#, 0x2F),
        (#"\."#, 0x2E), (#"\\"#, 0x5C), (#"\{"#, 0x7B), (#"\]"#, 0x5D),
    ] as [(String, UInt32)])
    func characterEscapes(source: String, value: UInt32) throws {
        #expect(try parse(source) == .scalar(value))
    }

    @Test("classes: ranges, negation, escapes inside")
    func classes() throws {
        #expect(try parse("[a-cx]") == .set(ScalarSet(ranges: [0x61...0x63, 0x78...0x78])))
        #expect(try parse("[^a]") == .set(ScalarSet(ranges: [0x61...0x61], negated: true)))
        #expect(try parse("[-a-]") == .set(ScalarSet(ranges: [0x2D...0x2D, 0x61...0x61])))
        #expect(try parse(#"[\d_]"#) == .set(ScalarSet(ranges: [0x30...0x39, 0x5F...0x5F])))
        #expect(try parse(#"[\b\-\]]"#) == .set(ScalarSet(ranges: [0x08...0x08, 0x2D...0x2D, 0x5D...0x5D])))
        #expect(try parse(#"[\u{10000}-\u{10FFFF}]"#) == .set(ScalarSet(ranges: [0x10000...0x10FFFF])))
        #expect(try parse("[a]") == .scalar(0x61), "a class of one character is that character")
        #expect(try parse("[^a]") != .scalar(0x61))
        #expect(try parse("[]") == .set(ScalarSet(ranges: [])))
        #expect(try parse("[^]") == .set(ScalarSet(ranges: [], negated: true)))
        #expect(try parse("[a-z-0]") == .set(ScalarSet(ranges: [0x61...0x7A, 0x2D...0x2D, 0x30...0x30])))
        #expect(try parse(#"[\p{Lu}x]"#) == .set(ScalarSet(ranges: [0x78...0x78], categories: GeneralCategories(.uppercaseLetter))))
    }

    @Test("\\p and \\P take General_Category values by any of their names")
    func properties() throws {
        let letters = try parse(#"\p{L}"#)
        #expect(try parse(#"\p{Letter}"#) == letters)
        #expect(try parse(#"\p{gc=L}"#) == letters)
        #expect(try parse(#"\p{General_Category=Letter}"#) == letters)
        #expect(try parse(#"\p{digit}"#) == parse(#"\p{Nd}"#))
        #expect(try parse(#"\P{Any}"#) == .set(ScalarSet(ranges: [])))
        guard case .set(let notUpper) = try parse(#"\P{Lu}"#) else { Issue.record("not a set"); return }
        #expect(!notUpper.contains(0x41) && notUpper.contains(0x61) && notUpper.contains(0x1F600))
    }

    @Test("invalid syntax is refused, saying where", arguments: [
        ("(", 0, "not closed"), ("a)", 1, "unmatched"), ("[a", 0, "not closed"), ("a{", 1, "incomplete quantifier"), ("{", 0, "lone"),
        ("a{,3}", 1, "incomplete quantifier"), ("x{2,1}", 1, "out of order"), ("*a", 0, "nothing to repeat"),
        ("a**", 2, "nothing to repeat"), ("a{1}{2}", 4, "nothing to repeat"), ("^*", 1, "nothing to repeat"),
        (#"\b+"#, 2, "nothing to repeat"), ("]", 0, "lone"), ("}", 0, "lone"), (#"\-"#, 0, "not an escape"),
        (#"\a"#, 0, "not an escape"), (#"[\B]"#, 1, "not an escape"), (#"[\1]"#, 1, "not an escape"),
        (#"\c1"#, 0, "\\c"), (#"\00"#, 0, "octal"), (#"\x4"#, 0, "\\x"), (#"\u12"#, 0, "\\u"),
        (#"\u{110000}"#, 0, "10FFFF"), ("[z-a]", 1, "out of order"), (#"[a-\d]"#, 1, "range"),
        ("(?i)a", 0, "inline flags"), ("(?P<n>a)", 0, "Python"), ("(?<a>x)(?<a>y)", 7, "two groups"), ("(?<1>x)", 3, "group name"),
        (#"\p{lu}"#, 0, "not supported"), ("\\", 0, "end of the pattern"),
    ] as [(String, Int, String)])
    func syntaxErrors(source: String, offset: Int, fragment: String) {
        let error = refusal(source)
        #expect(error?.offset == offset, "\(source): \(String(describing: error))")
        #expect(error?.message.contains(fragment) == true, "\(source): \(String(describing: error))")
    }

    @Test("backreferences and lookaround are refused as not linear", arguments: [
        (#"(a)\1"#, 3, "backreference"), (#"(?<x>a)\k<x>"#, 7, "backreference"), ("(?=a)", 0, "lookahead"),
        ("a(?!b)", 1, "negative lookahead"), ("(?<=a)b", 0, "lookbehind"), ("(?<!a)b", 0, "negative lookbehind"),
    ] as [(String, Int, String)])
    func notLinear(source: String, offset: Int, fragment: String) {
        let error = refusal(source)
        #expect(error?.kind == .notLinear, "\(source): \(String(describing: error))")
        #expect(error?.offset == offset)
        #expect(error?.message.contains(fragment) == true)
        #expect(error?.message.contains("linear time") == true)
    }

    @Test("properties other than General_Category, and escaped group names, are refused as unsupported")
    func unsupportedProperties() {
        for source in [#"\p{Script=Greek}"#, #"\p{Alphabetic}"#, #"\P{sc=Latn}"#, #"(?<\u0061>x)"#] {
            #expect(refusal(source)?.kind == .unsupported, "\(source)")
        }
    }

    @Test("deep nesting and very long patterns are refused, not recursed into")
    func limits() {
        let deep = String(repeating: "(", count: 101) + "a" + String(repeating: ")", count: 101)
        #expect(refusal(deep)?.kind == .tooLarge)
        let fine = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        #expect(refusal(fine) == nil)
        #expect(refusal(String(repeating: "(", count: 1_000_000))?.kind == .tooLarge)
        #expect(refusal(String(repeating: "a", count: RegexParser.maxLength + 1))?.kind == .tooLarge)
    }
}
