#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled `pattern`: a regular expression searched anywhere in the string (add `^` and `$` to
/// anchor it), as in JSON Schema.
///
/// The syntax and meaning are ECMA-262's with the `u` flag, matched on Unicode scalars by
/// Tollgate's own linear-time engine (``RegexProgram``): no backtracking, so no pattern can make a
/// check slow. Backreferences and lookaround are refused. Patterns without metacharacters
/// (optionally anchored with `^` and/or `$`) are matched as plain bytes, without the engine.
struct SchemaPattern: Sendable {
    private enum Matcher: Sendable {
        case equal([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case contains([UInt8])
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

    /// Whether the pattern occurs in `string`.
    func matches(_ string: String) -> Bool {
        switch matcher {
        case .equal(let literal): return Self.occurs(literal, in: string) { $0.count == literal.count ? 0 : nil }
        case .prefix(let literal): return Self.occurs(literal, in: string) { _ in 0 }
        case .suffix(let literal): return Self.occurs(literal, in: string) { $0.count - literal.count }
        case .contains(let literal): return Self.occurs(literal, in: string, at: nil)
        case .program(let program): return program.matches(string)
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
                // O(literal × string) at worst, as the engine is.
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
