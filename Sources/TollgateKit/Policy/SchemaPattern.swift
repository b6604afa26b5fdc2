#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled `pattern`: a regular expression searched anywhere in the string (add `^` and `$` to
/// anchor it), as in JSON Schema.
///
/// The engine is Swift's `Regex` run on Unicode scalars, with ECMA-262's ASCII meaning of `\d` and
/// `\w`; `$` matches only at the very end (not before a final newline) and `.` does not match a
/// newline. Lookahead, backreferences, classes and `\p{…}` work; lookbehind is not supported and
/// is reported as an invalid pattern. Patterns without metacharacters (optionally anchored with `^`
/// and/or `$`) are matched as plain bytes, without the regex engine.
struct SchemaPattern: Sendable {
    /// Holds the compiled regex by reference: `Regex` comes from a resilient library, so storing it
    /// inline would make every schema node a non-fixed-size type that is slow to copy.
    ///
    /// `Regex<AnyRegexOutput>` is not declared Sendable because its output type is not; the compiled
    /// regex is immutable and only used to match, which the standard library makes safe to share.
    private final class CompiledRegex: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>

        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    private enum Matcher: Sendable {
        case equal([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case contains([UInt8])
        case regex(CompiledRegex)
    }

    /// The pattern as written.
    let source: String
    private let matcher: Matcher

    /// Compiles `source`; the error message explains why the pattern is not valid.
    init(_ source: String) throws(SchemaCompileError) {
        self.source = source
        if let literal = Self.literal(source) {
            matcher = literal
            return
        }
        do {
            let regex = try Regex(source)
            matcher = .regex(CompiledRegex(regex.matchingSemantics(.unicodeScalar).asciiOnlyDigits().asciiOnlyWordCharacters()))
        } catch {
            throw SchemaCompileError(path: [], message: "invalid regular expression \(source.debugDescription): \(error)")
        }
    }

    /// Whether the pattern occurs in `string`.
    func matches(_ string: String) -> Bool {
        switch matcher {
        case .equal(let literal): return Self.occurs(literal, in: string) { $0.count == literal.count ? 0 : nil }
        case .prefix(let literal): return Self.occurs(literal, in: string) { _ in 0 }
        case .suffix(let literal): return Self.occurs(literal, in: string) { $0.count - literal.count }
        case .contains(let literal): return Self.occurs(literal, in: string, at: nil)
        case .regex(let compiled): return (try? compiled.regex.firstMatch(in: string)) != nil
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
        case (false, false): return .contains(bytes)
        }
    }

    /// Whether `literal` occurs in `string`'s UTF-8 at the offset `at` picks (nil: anywhere). A
    /// match of valid UTF-8 in valid UTF-8 always falls on scalar boundaries.
    private static func occurs(
        _ literal: [UInt8], in string: String, at offset: ((UnsafeBufferPointer<UInt8>) -> Int?)?
    ) -> Bool {
        var string = string
        return string.withUTF8 { haystack in
            literal.withUnsafeBufferPointer { needle in
                guard haystack.count >= needle.count else { return false }
                if needle.isEmpty { return offset?(haystack) != nil || offset == nil }
                if let offset {
                    guard let start = offset(haystack) else { return false }
                    return memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0
                }
                let first = needle[0]
                var start = 0
                while start <= haystack.count - needle.count {
                    if haystack[start] == first && memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0 {
                        return true
                    }
                    start += 1
                }
                return false
            }
        }
    }
}
