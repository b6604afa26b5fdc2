/// A single-pass JSON scanner over UTF-8 bytes.
///
/// It checks the whole grammar (RFC 8259) and more than most parsers do: strict UTF-8 (no overlong
/// forms, no encoded surrogates), `\u` escapes whose surrogates pair up, no duplicate keys in any
/// object (compared after escapes are decoded, so `"a"` and `"\u0061"` collide), and nesting no
/// deeper than ``maxDepth``. What it finds is reported as byte ranges into the input, so callers can
/// forward original bytes and decode only what they must.
///
/// The scanner never copies the input; it must only be used while the bytes it reads stay alive.
public struct JSONScanner {
    /// The nesting limit used unless a caller asks for another: objects and arrays may nest this deep.
    public static let defaultMaxDepth = 128

    /// The decoded form of a string token: its content range (between the quotes) and whether it holds escapes.
    public struct StringToken: Sendable, Equatable {
        /// The bytes between the quotes.
        public var content: Range<Int>
        /// Whether the content holds `\` escapes (if not, the bytes are the decoded UTF-8).
        public var hasEscapes: Bool
    }

    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    /// Whether `//` and `/* */` comments and trailing commas are accepted (manifests, never messages).
    public var allowsCommentsAndTrailingCommas = false
    /// Whether containers are first tried on the fast path (see ``fastSkipContainer(depth:)``);
    /// off, only the exact walker runs (the reference the fast path is tested against).
    var usesFastPath = true
    /// The offset of the next byte to read.
    public internal(set) var position: Int
    static let inlineKeys = 16

    /// Creates a scanner over `bytes`, starting at the first byte.
    public init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.position = 0
    }

    var end: Int { bytes.count }

    @inline(__always)
    func byte(_ offset: Int) -> UInt8 { bytes[offset] }

    // MARK: - Whole documents

    /// Checks that the bytes hold exactly one JSON value (with optional surrounding whitespace).
    public mutating func validateDocument() throws(JSONScanError) {
        skipWhitespace()
        guard position < end else { throw JSONScanError(.empty, at: position) }
        try skipValue(depth: 0)
        try expectEndOfDocument()
    }

    /// Fails unless only whitespace is left.
    mutating func expectEndOfDocument() throws(JSONScanError) {
        skipWhitespace()
        if position < end { throw JSONScanError(.trailingData, at: position) }
    }

    // MARK: - Structure

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            switch byte(position) {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            case UInt8(ascii: "/") where allowsCommentsAndTrailingCommas:
                guard skipComment() else { return }
            default: return
            }
        }
    }

    /// Skips a `//` or `/* */` comment at the current position; false if there is none.
    private mutating func skipComment() -> Bool {
        guard position + 1 < end else { return false }
        switch byte(position + 1) {
        case UInt8(ascii: "/"):
            position += 2
            while position < end && byte(position) != 0x0A { position += 1 }
            return true
        case UInt8(ascii: "*"):
            var i = position + 2
            while i + 1 < end {
                if byte(i) == UInt8(ascii: "*") && byte(i + 1) == UInt8(ascii: "/") {
                    position = i + 2
                    return true
                }
                i += 1
            }
            return false
        default:
            return false
        }
    }

    /// The next significant byte, without consuming it.
    @inline(__always)
    mutating func peekSignificant() throws(JSONScanError) -> UInt8 {
        skipWhitespace()
        guard position < end else { throw JSONScanError(.unexpectedEnd, at: position) }
        return byte(position)
    }

    @inline(__always)
    mutating func expect(_ expected: UInt8) throws(JSONScanError) {
        let found = try peekSignificant()
        guard found == expected else { throw JSONScanError(.unexpectedByte(found), at: position) }
        position += 1
    }

    /// Scans an object at the current position, calling `member` for each key with the scanner
    /// positioned before the member's value; `member` must consume the value.
    /// Duplicate keys are rejected before `member` sees them.
    public mutating func scanObject(
        depth: Int,
        _ member: (inout JSONScanner, StringToken) throws(JSONScanError) -> Void
    ) throws(JSONScanError) {
        guard depth < maxDepth else { throw JSONScanError(.tooDeep(limit: maxDepth), at: position) }
        try expect(UInt8(ascii: "{"))
        if try peekSignificant() == UInt8(ascii: "}") {
            position += 1
            return
        }
        // Keys of small objects are remembered on the stack; big objects spill into a ``KeySet``.
        try withUnsafeTemporaryAllocation(of: StringToken.self, capacity: Self.inlineKeys) { (inline: UnsafeMutableBufferPointer<StringToken>) throws(JSONScanError) in
            var count = 0
            var spilled: KeySet? = nil
            while true {
                guard try peekSignificant() == UInt8(ascii: "\"") else {
                    throw JSONScanError(.unexpectedByte(byte(position)), at: position)
                }
                let keyStart = position
                let key = try scanString()
                if count < Self.inlineKeys {
                    // Few keys: compare directly (lengths first), no hashing.
                    for i in 0..<count where isSameKey(inline[i], key) {
                        throw JSONScanError(.duplicateKey(decodeString(key)), at: keyStart)
                    }
                    inline[count] = key
                } else {
                    if spilled == nil {
                        var keys = KeySet()
                        for other in inline { try keys.insert(other, at: other.content.lowerBound - 1, scanner: self) }
                        spilled = keys
                    }
                    try spilled!.insert(key, at: keyStart, scanner: self)
                }
                count += 1
                try expect(UInt8(ascii: ":"))
                try member(&self, key)
                let next = try peekSignificant()
                position += 1
                if next == UInt8(ascii: ",") {
                    if allowsCommentsAndTrailingCommas, try peekSignificant() == UInt8(ascii: "}") {
                        position += 1
                        try spilled?.finish(scanner: self)
                        return
                    }
                    continue
                }
                if next == UInt8(ascii: "}") {
                    try spilled?.finish(scanner: self)
                    return
                }
                throw JSONScanError(.unexpectedByte(next), at: position - 1)
            }
        }
    }

    /// Scans an array at the current position, calling `element` with the scanner positioned
    /// before each element; `element` must consume it.
    public mutating func scanArray(
        depth: Int,
        _ element: (inout JSONScanner) throws(JSONScanError) -> Void
    ) throws(JSONScanError) {
        guard depth < maxDepth else { throw JSONScanError(.tooDeep(limit: maxDepth), at: position) }
        try expect(UInt8(ascii: "["))
        if try peekSignificant() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try element(&self)
            let next = try peekSignificant()
            position += 1
            if next == UInt8(ascii: ",") {
                if allowsCommentsAndTrailingCommas, try peekSignificant() == UInt8(ascii: "]") {
                    position += 1
                    return
                }
                continue
            }
            if next == UInt8(ascii: "]") { return }
            throw JSONScanError(.unexpectedByte(next), at: position - 1)
        }
    }

    // MARK: - Duplicate keys

    /// Whether two keys decode to the same bytes; unescaped keys of different lengths or first
    /// bytes are told apart without a call.
    @inline(__always)
    func isSameKey(_ a: StringToken, _ b: StringToken) -> Bool {
        if !a.hasEscapes && !b.hasEscapes {
            let count = a.content.count
            guard count == b.content.count else { return false }
            guard count > 0 else { return true }
            guard byte(a.content.lowerBound) == byte(b.content.lowerBound) else { return false }
        }
        return sameDecodedContent(a, b)
    }

    func sameDecodedContent(_ a: StringToken, _ b: StringToken) -> Bool {
        if !a.hasEscapes && !b.hasEscapes {
            guard a.content.count == b.content.count else { return false }
            return memcmp(bytes.baseAddress! + a.content.lowerBound, bytes.baseAddress! + b.content.lowerBound, a.content.count) == 0
        }
        var first: [UInt8] = []
        var second: [UInt8] = []
        decode(a, into: &first)
        decode(b, into: &second)
        return first == second
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
