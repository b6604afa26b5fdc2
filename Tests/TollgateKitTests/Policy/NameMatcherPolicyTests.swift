import Testing
@testable import TollgateKit

@Suite("NameMatcher")
struct NameMatcherPolicyTests {
    @Test("exact keys match only the same name, case-sensitively")
    func exact() throws {
        let rule = try matcher("read_file")
        #expect(rule.isExact)
        #expect(rule.literalPrefixLength == 9)
        #expect(rule.matches("read_file"))
        #expect(!rule.matches("read_files"))
        #expect(!rule.matches("Read_file"))
        #expect(!rule.matches("read_fil"))
        #expect(!rule.matches(""))
    }

    @Test("* matches any run, including an empty one", arguments: [
        ("git_*", "git_", true), ("git_*", "git_status", true), ("git_*", "git", false), ("git_*", "xgit_status", false),
        ("*", "", true), ("*", "anything/at.all", true), ("*_file", "read_file", true), ("*_file", "read_files", false),
        ("a*b*c", "abc", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXcYYb", false), ("a*b*c", "abcbc", true),
        ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false), ("**x", "yyx", true),
    ])
    func star(pattern: String, name: String, expected: Bool) throws {
        #expect(try matcher(pattern).matches(name) == expected)
    }

    @Test("? matches exactly one character (one Unicode scalar)", arguments: [
        ("fs.?", "fs.a", true), ("fs.?", "fs.", false), ("fs.?", "fs.ab", false), ("fs.?", "fs.é", true),
        ("?", "😀", true), ("??", "😀", false), ("*?", "😀", true), ("a?c", "abc", true), ("a?c", "a/c", true),
    ])
    func question(pattern: String, name: String, expected: Bool) throws {
        #expect(try matcher(pattern).matches(name) == expected)
    }

    @Test("long names against many stars or a long literal after a star: right answers in one pass per restart")
    func longNames() throws {
        // Matching backtracks only to the last `*`: O(key × name), and keys are at most 128 characters.
        let name = String(repeating: "a", count: 1 << 18)
        #expect(try matcher(String(repeating: "*a", count: 64)).matches(name))
        #expect(try !matcher(String(repeating: "*a", count: 63) + "*b").matches(name))
        #expect(try !matcher("*" + String(repeating: "a", count: 126) + "b").matches(name))
        #expect(try matcher("*" + String(repeating: "a", count: 127)).matches(name))
        #expect(try matcher(String(repeating: "?*", count: 64)).matches(name))
        #expect(try !matcher(String(repeating: "?*", count: 64)).matches(String(repeating: "a", count: 63)))
    }

    @Test("literal prefix length counts characters before the first wildcard")
    func prefix() throws {
        #expect(try matcher("*").literalPrefixLength == 0)
        #expect(try matcher("git_*").literalPrefixLength == 4)
        #expect(try matcher("git_?x*").literalPrefixLength == 4)
        #expect(try !matcher("a?").isExact)
    }

    @Test("bad characters are rejected with the character and the allowed set")
    func badCharacters() throws {
        for (pattern, shown) in [("git status", "U+0020"), ("tool:x", "':'"), ("é*", "U+00E9"), ("[ab]", "'['")] {
            #expect(throws: NamePatternError.self) { try NameMatcher(pattern: pattern) }
            do {
                _ = try NameMatcher(pattern: pattern)
            } catch {
                #expect(error.message.contains(shown), "\(error.message)")
                #expect(error.message.contains(NameMatcher.allowedCharacters))
            }
        }
        #expect(throws: NamePatternError(pattern: "", reason: .empty)) { try NameMatcher(pattern: "") }
        #expect(throws: NamePatternError(pattern: String(repeating: "a", count: 129), reason: .tooLong(length: 129))) {
            try NameMatcher(pattern: String(repeating: "a", count: 129))
        }
        #expect(try matcher(String(repeating: "a", count: 128)).isExact)
        #expect(try matcher("Az09_-./*?").literalPrefixLength == 8)
    }
}

@Suite("RuleTable precedence")
struct RuleTablePolicyTests {
    /// A table of (key, allows) rules whose payload is the key.
    func table(_ rules: [(String, Bool)]) throws -> RuleTable<String> {
        try RuleTable(rules.map { try RuleTable.Rule(matcher: NameMatcher(pattern: $0.0), allows: $0.1, payload: $0.0) })
    }

    @Test("an exact rule beats every glob, even a deny glob listed first")
    func exactBeatsGlob() throws {
        let rules = try table([("git_*", false), ("*", false), ("git_push", true)])
        #expect(rules.match("git_push") == .allowed(rules: [2]))
        #expect(rules.match("git_pull") == .denied(rule: 0))
        let denyExact = try table([("git_*", true), ("git_push", false)])
        #expect(denyExact.match("git_push") == .denied(rule: 1))
    }

    @Test("git_* beats *, and the longer literal prefix wins")
    func longerPrefixWins() throws {
        let rules = try table([("*", false), ("git_*", true), ("git_re*", false), ("g?t_*", true)])
        #expect(rules.match("git_status") == .allowed(rules: [1]))
        #expect(rules.match("git_reset") == .denied(rule: 2))
        #expect(rules.match("got_x") == .allowed(rules: [3]))
        #expect(rules.match("ls") == .denied(rule: 0))
        #expect(rules[1].payload == "git_*")
    }

    @Test("at equal specificity deny wins; tied allows all apply, first in file order reported")
    func ties() throws {
        let rules = try table([("fs_*", true), ("fs_?ead", true), ("fs*", true), ("fs_*e", false)])
        // fs_* and fs_?ead and fs_*e all have a 3-character prefix; fs_*e denies.
        #expect(rules.match("fs_read") == .allowed(rules: [0, 1]))
        #expect(rules.match("fs_write") == .denied(rule: 3))
        #expect(rules.match("fsck") == .allowed(rules: [2]))
        #expect(RuleMatch.allowed(rules: [0, 1]).reportedRule == 0)
    }

    @Test("no rule matches")
    func noRule() throws {
        let rules = try table([("git_*", true), ("read_file", true)])
        #expect(rules.match("write_file") == .noRule)
        #expect(rules.match("write_file").reportedRule == nil)
        #expect(try table([]).match("x") == .noRule)
    }

    @Test("exact names compare by scalars, not canonical equivalence")
    func exactScalars() throws {
        let rules = try table([("*", false)])
        #expect(rules.match("caf\u{E9}") == .denied(rule: 0))
        #expect(try !matcher("abc").matches("ab\u{63}\u{301}"))
    }
}
