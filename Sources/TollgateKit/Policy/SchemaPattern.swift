#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled `pattern`: a regular expression searched anywhere in the string (add `^` and `$` to
/// anchor it), as in JSON Schema.
///
/// The syntax and meaning are ECMA-262's with the `u` flag, matched on Unicode scalars by
/// Tollgate's own linear-time engines (``RegexProgram``): no backtracking, and a ``MatchBudget``
/// on the work, so no pattern can make a check slow. Backreferences and lookaround are refused.
/// Patterns without metacharacters (optionally anchored with `^` and/or `$`) are matched as plain
/// bytes, without the engines.
struct SchemaPattern: Sendable {
    private enum Matcher: Sendable {
        case equal([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        /// The literal, and for each prefix the length of its longest proper prefix that is also its suffix (for KMP).
        case contains([UInt8], [Int])
        case program(RegexProgram)
    }

    /// The pattern as written.
    let source: String
    private let matcher: Matcher

    /// Compiles `source`; the error message explains why the pattern is refused.
    init(_ source: String) throws(SchemaCompileError) {
        self.source = source
        if let literal = Self.literal(source) {
            matcher = literal
            return
        }
        do throws(RegexError) {
            matcher = .program(try RegexProgram(compiling: source))
        } catch {
            let what = error.kind == .syntax ? "invalid regular expression" : "unsupported regular expression"
            let shown = source.unicodeScalars.count > 200 ? String(source.unicodeScalars.prefix(200)) + "…" : source
            throw SchemaCompileError(path: [], message: "\(what) \(shown.debugDescription): \(error)")
        }
    }

    /// Whether the pattern occurs in `string`; throws, without an answer, when finding out takes
    /// more steps than `budget` has left.
    func matches(_ string: String, budget: inout MatchBudget) throws(MatchBudget.Exhausted) -> Bool {
        switch matcher {
        case .equal(let literal): return Self.occurs(literal, in: string) { $0.count == literal.count ? 0 : nil }
        case .prefix(let literal): return Self.occurs(literal, in: string) { _ in 0 }
        case .suffix(let literal): return Self.occurs(literal, in: string) { $0.count - literal.count }
        case .contains(let literal, let fallbacks):
            try budget.spend(string.utf8.count)
            return Self.occurs(literal, fallbacks, in: string)
        case .program(let program): return try program.matches(string, budget: &budget)
        }
    }

    /// The plain-bytes matcher for a pattern without metacharacters, or nil.
    private static func literal(_ source: String) -> Matcher? {
        var bytes = Array(source.utf8)
        let anchoredStart = bytes.first == UInt8(ascii: "^")
        if anchoredStart { bytes.removeFirst() }
        let anchoredEnd = bytes.last == UInt8(ascii: "$")
        if anchoredEnd { bytes.removeLast() }
        let metacharacters = Array(#"\^$.|?*+()[]{}"#.utf8)
        guard !bytes.contains(where: metacharacters.contains) else { return nil }
        switch (anchoredStart, anchoredEnd) {
        case (true, true): return .equal(bytes)
        case (true, false): return .prefix(bytes)
        case (false, true): return .suffix(bytes)
        case (false, false): return .contains(bytes, fallbacks(bytes))
        }
    }

    /// Whether `literal` occurs in `string`'s UTF-8 at the offset `at` picks. A match of valid
    /// UTF-8 in valid UTF-8 always falls on scalar boundaries.
    private static func occurs(_ literal: [UInt8], in string: String, at offset: (UnsafeBufferPointer<UInt8>) -> Int?) -> Bool {
        var string = string
        return string.withUTF8 { haystack in
            literal.withUnsafeBufferPointer { needle in
                guard haystack.count >= needle.count, let start = offset(haystack) else { return false }
                return needle.isEmpty || memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0
            }
        }
    }

    /// Whether `literal` occurs anywhere in `string`'s UTF-8: Knuth–Morris–Pratt, so at most two
    /// comparisons per byte of the string, whatever both hold.
    private static func occurs(_ literal: [UInt8], _ fallbacks: [Int], in string: String) -> Bool {
        if literal.isEmpty { return true }
        var string = string
        return string.withUTF8 { haystack in
            var matched = 0
            for byte in haystack {
                while matched > 0 && literal[matched] != byte { matched = fallbacks[matched - 1] }
                if literal[matched] == byte { matched += 1 }
                if matched == literal.count { return true }
            }
            return false
        }
    }

    /// For each prefix of `literal`, the length of its longest proper prefix that is also its suffix.
    private static func fallbacks(_ literal: [UInt8]) -> [Int] {
        var result = Array(repeating: 0, count: literal.count)
        var length = 0
        for index in literal.indices.dropFirst() {
            while length > 0 && literal[length] != literal[index] { length = result[length - 1] }
            if literal[length] == literal[index] { length += 1 }
            result[index] = length
        }
        return result
    }
}
