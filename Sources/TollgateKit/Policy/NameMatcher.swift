/// A compiled tool-name pattern: the key of a rule in the manifest's `tools` section.
///
/// `*` matches any run of characters (possibly empty) and `?` exactly one character (one Unicode
/// scalar of the tool name); every other character matches itself, case-sensitively. A key may use
/// only `A-Z a-z 0-9 _ - . / * ?` and is 1 to 128 characters long. A key without wildcards is an
/// exact rule. Matching works on the name's UTF-8 bytes and allocates nothing (for native strings).
public struct NameMatcher: Sendable, Hashable, CustomStringConvertible {
    /// The characters a rule key may use, for messages.
    public static let allowedCharacters = "A-Z a-z 0-9 _ - . / * ?"
    /// The longest rule key, in characters.
    public static let maxLength = 128

    /// The rule key as written.
    public let pattern: String
    /// Whether the key holds no wildcard, so it matches exactly one name.
    public let isExact: Bool
    /// The number of characters before the first wildcard (the whole length for an exact key);
    /// among glob rules that match a name, the longest literal prefix wins.
    public let literalPrefixLength: Int
    /// The pattern's bytes (all ASCII).
    private let bytes: [UInt8]

    /// Compiles a rule key; throws when it is empty, too long, or uses a character outside ``allowedCharacters``.
    public init(pattern: String) throws(NamePatternError) {
        var offset = 0
        for scalar in pattern.unicodeScalars {
            guard scalar.isASCII, Self.isAllowed(UInt8(scalar.value)) else {
                throw NamePatternError(pattern: pattern, reason: .badCharacter(scalar, offset: offset))
            }
            offset += 1
        }
        if offset == 0 { throw NamePatternError(pattern: pattern, reason: .empty) }
        if offset > Self.maxLength { throw NamePatternError(pattern: pattern, reason: .tooLong(length: offset)) }
        self.pattern = pattern
        self.bytes = Array(pattern.utf8)
        let firstWildcard = bytes.firstIndex { $0 == Self.star || $0 == Self.question }
        self.isExact = firstWildcard == nil
        self.literalPrefixLength = firstWildcard ?? bytes.count
    }

    /// Whether `name` matches the pattern.
    public func matches(_ name: String) -> Bool {
        if isExact { return name.hasSameScalars(as: pattern) }
        let matched = name.utf8.withContiguousStorageIfAvailable { nameBytes in
            bytes.withUnsafeBufferPointer { Self.globMatch($0, nameBytes) }
        }
        if let matched { return matched }
        return Array(name.utf8).withUnsafeBufferPointer { nameBytes in
            bytes.withUnsafeBufferPointer { Self.globMatch($0, nameBytes) }
        }
    }

    /// The rule key as written.
    public var description: String { pattern }

    /// Whether two matchers have the same key, character for character.
    public static func == (lhs: NameMatcher, rhs: NameMatcher) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the key's bytes.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    // MARK: - Matching

    private static let star = UInt8(ascii: "*")
    private static let question = UInt8(ascii: "?")

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), star, question:
            true
        default:
            false
        }
    }

    /// The offset of the scalar after the one starting at `offset` (skips UTF-8 continuation bytes).
    @inline(__always)
    private static func nextScalar(_ name: UnsafeBufferPointer<UInt8>, after offset: Int) -> Int {
        var next = offset + 1
        while next < name.count && name[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }

    /// Glob matching with a single backtrack point (the last `*` seen): linear for typical keys,
    /// O(pattern × name) at worst, no recursion and no allocation.
    private static func globMatch(_ pattern: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0
        var n = 0
        var starP = -1
        var starN = 0
        while n < name.count {
            if p < pattern.count {
                let c = pattern[p]
                if c == star {
                    starP = p
                    starN = n
                    p += 1
                    continue
                }
                if c == question {
                    n = nextScalar(name, after: n)
                    p += 1
                    continue
                }
                if c == name[n] {
                    p += 1
                    n += 1
                    continue
                }
            }
            guard starP >= 0 else { return false }
            starN = nextScalar(name, after: starN)
            n = starN
            p = starP + 1
        }
        while p < pattern.count && pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
