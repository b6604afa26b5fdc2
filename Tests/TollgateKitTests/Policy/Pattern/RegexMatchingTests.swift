import Testing
@testable import TollgateKit

@Suite("Regex matching")
struct RegexMatchingTests {
    /// Whether `pattern` (which must compile) matches somewhere in `string`, as the lazy DFA and
    /// the Pike VM both say.
    private func matches(_ pattern: String, _ string: String) throws -> Bool {
        let program = try RegexProgram(compiling: pattern)
        let (dfa, pikeVM) = try program.answers(string)
        #expect(dfa == pikeVM, "\(pattern) on \(string.prefix(20).debugDescription): the DFA says \(String(describing: dfa)), the Pike VM \(pikeVM)")
        #expect(try program.matches(string) == pikeVM)
        return pikeVM
    }

    /// The refusal of `pattern`, which must not compile.
    private func refusal(_ pattern: String) -> RegexError? {
        do throws(RegexError) {
            _ = try RegexProgram(compiling: pattern)
            return nil
        } catch {
            return error
        }
    }

    @Test("each feature matches what ECMA-262 matches", arguments: [
        // search anywhere unless anchored
        ("b", "abc", true), ("^b", "abc", false), ("b$", "abc", false), ("^abc$", "abc", true), ("", "", true),
        // $ only at the very end, ^ only at the start (no multiline)
        ("a$", "a\n", false), ("^b", "a\nb", false), ("a$|b", "xb", true),
        // . is one scalar, never a line terminator
        ("^.$", "é", true), ("^.$", "😀", true), ("^.$", "e\u{301}", false), ("^.$", "\n", false),
        ("^.$", "\r", false), ("^.$", "\u{2028}", false), ("^.$", "\u{2029}", false), ("^.$", "\u{85}", true),
        ("^[^]$", "\n", true), (#"^[\s\S]$"#, "\u{2028}", true),
        // \d \w ASCII; \s is ECMA's set
        (#"\d"#, "\u{663}", false), (#"^\d+$"#, "0123456789", true), (#"\w"#, "é", false), (#"^\w+$"#, "a_Z9", true),
        (#"\W"#, "é", true), (#"\D"#, "a", true), (#"^\s+$"#, "\t\u{B}\u{C} \u{A0}\u{FEFF}\u{1680}\u{2000}\u{200A}\u{202F}\u{205F}\u{3000}\n\r\u{2028}\u{2029}", true),
        (#"\s"#, "\u{180E}", false), (#"\s"#, "\u{85}", false), (#"\S"#, "\u{3000}", false),
        // \b \B on ASCII word characters
        (#"\bid\b"#, "the id field", true), (#"\bid\b"#, "idle", false), (#"\Bd\B"#, "adb", true), (#"\Bd"#, "d", false),
        (#"\b"#, "", false), (#"\B"#, "", true), (#"é\b"#, "é", false), (#"a\b"#, "aé", true),
        // classes
        ("^[a-c]+$", "abcabc", true), ("^[a-c]+$", "abcd", false), ("[^a-c]", "abc", false), ("[^a-c]", "abc😀", true),
        (#"^[\u{1F600}-\u{1F64F}]$"#, "😃", true), (#"[\uD83D\uDE00]"#, "😀", true), (#"[\uD83D]"#, "😀", false),
        (#"^[\w-]+$"#, "a-b_c", true), (#"[\b]"#, "\u{8}", true), (#"[.]"#, "a", false),
        // alternation, groups, quantifiers (lazy or not)
        ("^(ab|cd)+$", "abcdab", true), ("^(ab|cd)+$", "abc", false), ("^a{3}$", "aaa", true), ("^a{3}$", "aaaa", false),
        ("^a{2,}$", "a", false), ("^a{2,}$", "aaaaa", true), ("^a{2,3}$", "aaaa", false), ("^a{2,3}?$", "aaa", true),
        ("^a*?$", "aaa", true), ("^(a|)*$", "aa", true), ("^(?:a*)*b$", "aaab", true), ("^a{0}$", "", true),
        ("^(?:){5}x$", "x", true), ("^a?b??c$", "abc", true), ("^x(?:y{0,2}z){2}$", "xyzyyz", true),
        // escapes
        (#"^\x41\u0042\u{43}$"#, "ABC", true), (#"^\cJ$"#, "\n", true), (#"^\0$"#, "\u{0}", true), (#"\t"#, "a\tb", true),
        (#"^\^\$\.\*\+\?\(\)\[\]\{\}\|\/\\$"#, #"^$.*+?()[]{}|/\"#, true),
        // General_Category
        (#"^\p{Lu}+$"#, "ÀΩB", true), (#"\p{Lu}"#, "abc", false), (#"^\p{L}+$"#, "été", true), (#"^\P{L}$"#, "1", true),
        (#"^\p{Nd}$"#, "\u{663}", true), (#"^\p{So}$"#, "😀", true), (#"^\p{Mn}$"#, "\u{301}", true),
        (#"^[\p{Zs}\p{Nd}]+$"#, "1\u{3000}2", true), (#"^[^\P{Ll}]$"#, "a", true), (#"^[^\P{Ll}]$"#, "A", false),
        (#"^\p{Any}$"#, "\u{10FFFF}", true), (#"\P{Any}"#, "a", false), (#"^\p{ASCII}+$"#, "a~", true), (#"\P{ASCII}"#, "abc", false),
        (#"^\p{Assigned}$"#, "\u{378}", false), (#"^\p{Cn}$"#, "\u{378}", true),
    ] as [(String, String, Bool)])
    func features(pattern: String, string: String, expected: Bool) throws {
        #expect(try matches(pattern, string) == expected, "\(pattern) vs \(string.debugDescription)")
    }

    @Test("catastrophic backtracking patterns finish at once, with the right answer")
    func noBacktracking() throws {
        let attack = String(repeating: "a", count: 10_000) + "!"
        #expect(try !matches("^(a+)+$", attack))
        #expect(try !matches("^(a|a)*$", attack))
        #expect(try !matches("^(a*)*b$", attack))
        #expect(try !matches("(x+x+)+y", String(repeating: "x", count: 10_000)))
        #expect(try matches("^(a+)+!$", attack))
        #expect(try matches("^(a+)+$", String(repeating: "a", count: 10_000)))
        #expect(try !matches("^(a|aa){1,50}$", String(repeating: "a", count: 101)))
        #expect(try matches("^(a|aa){1,50}$", String(repeating: "a", count: 100)))
    }

    @Test("counted repetitions are bounded when compiled, not when matched")
    func sizeBound() throws {
        for pattern in ["(a{1000}){1000}", "a{10001}", "a{0,99999999999}", "(?:a|b){5000,}x", "((a{100}){100}){100}", "[a-z]{5000}[0-9]{5001}"] {
            let error = refusal(pattern)
            #expect(error?.kind == .tooLarge, "\(pattern): \(String(describing: error))")
            #expect(error?.message.contains("more than \(RegexProgram.instructionLimit) instructions") == true)
        }
        #expect(try RegexProgram(compiling: "a{10000}").instructions.count == 10_001, "10,000 characters and the match")
        #expect(try RegexProgram(compiling: ".{0,5000}").instructions.count == 10_001, "5000 splits and sets")
        #expect(refusal(".{0,5001}")?.kind == .tooLarge)
        #expect(try matches("^(?:[0-9a-f]{2}){1,32}$", "0a1b2c"))
        #expect(try matches("^(?:){99999999999}$", ""), "an empty body costs nothing, however often")
        #expect(try RegexProgram(compiling: #"\d{50}[0-9](x|[0-9])"#).sets.count == 1, "equal sets are stored once")
    }

    @Test("the DFA agrees with the Pike VM when its cache fills up, is cleared, or does not pay")
    func dfaCache() throws {
        // [ab]*a[ab]{k}c has 2^(k+1) states; from k = 11 they do not fit in the 2,000-state cache.
        var random = SplitMix64(seed: 7)
        func randomAB(_ count: Int) -> String { String((0..<count).map { _ in Bool.random(using: &random) ? "a" : "b" }) }
        var answered: [Int] = [], gaveUp: [Int] = []
        for k in [3, 8, 11, 14] {
            let program = try RegexProgram(compiling: "[ab]*a[ab]{\(k)}c")
            // Random text (a new state at almost every scalar once k is large), and random bursts
            // between runs of b's that end in one cached state: thousands of states, each paid for
            // by hundreds of scalars, so the cache is cleared and the search goes on.
            let bursts = (0..<300).map { _ in randomAB(20) + String(repeating: "b", count: 300) }.joined()
            for text in [randomAB(30_000), bursts] {
                for ending in ["", "a" + String(repeating: "b", count: k) + "c"] {
                    let (dfa, pikeVM) = try program.answers(text + ending)
                    #expect(pikeVM == !ending.isEmpty)
                    #expect(dfa == nil || dfa == pikeVM, "k = \(k)")
                    if dfa == nil { gaveUp.append(k) } else { answered.append(k) }
                }
            }
        }
        #expect(answered.filter { $0 >= 11 }.count == 4, "bursts: the cache is cleared, and the DFA answers")
        #expect(gaveUp.sorted() == [11, 11, 14, 14], "random text: states do not pay once k is 11")
    }

    @Test("the anchored search stops as soon as no thread is left")
    func anchoredStops() throws {
        let program = try RegexProgram(compiling: "^ab")
        #expect(program.isAnchoredAtStart)
        #expect(try !RegexProgram(compiling: "(^a)|b").isAnchoredAtStart)
        #expect(try RegexProgram(compiling: "(^a|^b)c").isAnchoredAtStart)
        #expect(try program.matches("abc"))
        #expect(try !program.matches("xab"))
    }
}
