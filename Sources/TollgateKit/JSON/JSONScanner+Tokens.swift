extension JSONScanner {
    /// The literal a `true`, `false` or `null` token spelled.
    public enum Literal: Sendable, Equatable {
        case `true`, `false`, null
    }

    // MARK: - Strings

    /// Scans a string token at the current position (which must be a `"`), checking UTF-8,
    /// escapes and surrogate pairs.
    @inline(__always)
    public mutating func scanString() throws(JSONScanError) -> StringToken {
        guard position < end, byte(position) == UInt8(ascii: "\"") else {
            throw position < end
                ? JSONScanError(.unexpectedByte(byte(position)), at: position)
                : JSONScanError(.unexpectedEnd, at: position)
        }
        let start = position + 1
        var i = start
        var escaped = false
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while i < end {
            // Fast path: eight plain ASCII bytes at a time.
            while i + 8 <= end {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let special = Self.specialBytes(word)
                if special != 0 {
                    // The lowest flagged byte is exact (little-endian); jump straight to it.
                    i += special.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < end else { break }
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                position = i + 1
                return StringToken(content: start..<i, hasEscapes: escaped)
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                i = try skipEscape(at: i)
            } else if b < 0x20 {
                throw JSONScanError(.controlCharacterInString, at: i)
            } else if b < 0x80 {
                i += 1
            } else {
                i = try skipUTF8Sequence(at: i)
            }
        }
        throw JSONScanError(.unexpectedEnd, at: end)
    }

    /// Flags (high bit of each byte) the bytes of a word that are a quote, a backslash, a control
    /// character or non-ASCII; the lowest flag is exact, higher ones may be false positives.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        bytesToEscape(word) | word & 0x8080_8080_8080_8080
    }

    /// Flags (high bit of each byte) the bytes of a word that a string literal must escape: a
    /// quote, a backslash or a control character; the lowest flag is exact, higher ones may be
    /// false positives.
    @inline(__always)
    static func bytesToEscape(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        let hasControl = (word &- (ones &* 0x20)) & ~word & highs
        return hasQuote | hasBackslash | hasControl
    }

    private func hexValue(at i: Int) throws(JSONScanError) -> UInt32 {
        guard i + 4 <= end else { throw JSONScanError(.unexpectedEnd, at: end) }
        var value: UInt32 = 0
        for k in i..<(i + 4) {
            let c = byte(k)
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw JSONScanError(.invalidEscape, at: k)
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Checks the escape starting at the backslash at `i`; returns the offset after it.
    private func skipEscape(at i: Int) throws(JSONScanError) -> Int {
        guard i + 1 < end else { throw JSONScanError(.unexpectedEnd, at: end) }
        switch byte(i + 1) {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = try hexValue(at: i + 2)
            switch unit {
            case 0xD800...0xDBFF:
                guard i + 7 < end, byte(i + 6) == UInt8(ascii: "\\"), byte(i + 7) == UInt8(ascii: "u") else {
                    throw JSONScanError(.unpairedSurrogate, at: i)
                }
                let low = try hexValue(at: i + 8)
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONScanError(.unpairedSurrogate, at: i) }
                return i + 12
            case 0xDC00...0xDFFF:
                throw JSONScanError(.unpairedSurrogate, at: i)
            default:
                return i + 6
            }
        default:
            throw JSONScanError(.invalidEscape, at: i)
        }
    }

    /// Checks the multi-byte UTF-8 sequence starting at `i` (RFC 3629, table 3-7 of Unicode);
    /// returns the offset after it.
    private func skipUTF8Sequence(at i: Int) throws(JSONScanError) -> Int {
        let lead = byte(i)
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw JSONScanError(.invalidUTF8, at: i)
        }
        guard i + length <= end else { throw JSONScanError(.invalidUTF8, at: i) }
        let second = byte(i + 1)
        guard second >= secondLow && second <= secondHigh else { throw JSONScanError(.invalidUTF8, at: i) }
        for k in (i + 2)..<(i + length) where byte(k) & 0xC0 != 0x80 {
            throw JSONScanError(.invalidUTF8, at: i)
        }
        return i + length
    }

    /// Writes the decoded UTF-8 bytes of a (checked) string token into `output`, replacing its contents.
    public func decode(_ token: StringToken, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: repeatElement(0, count: token.content.count))
        let written = output.withUnsafeMutableBufferPointer { decode(token, to: $0.baseAddress!) }
        output.removeLast(output.count - written)
    }

    /// Writes the decoded UTF-8 of a (checked) string token to `output`, which has room for the
    /// token's `content.count` bytes (decoding never lengthens a string); returns how many bytes
    /// it wrote. Runs without escapes are copied whole.
    func decode(_ token: StringToken, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written = 0
        var i = token.content.lowerBound
        let stop = token.content.upperBound
        while i < stop {
            let escape = memchr(base + i, Int32(UInt8(ascii: "\\")), stop - i).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? stop
            (output + written).initialize(from: base + i, count: escape - i)
            written += escape - i
            i = escape
            guard i < stop else { break }
            let c = base[i + 1]
            switch c {
            case UInt8(ascii: "b"): output[written] = 0x08; written += 1; i += 2
            case UInt8(ascii: "f"): output[written] = 0x0C; written += 1; i += 2
            case UInt8(ascii: "n"): output[written] = 0x0A; written += 1; i += 2
            case UInt8(ascii: "r"): output[written] = 0x0D; written += 1; i += 2
            case UInt8(ascii: "t"): output[written] = 0x09; written += 1; i += 2
            case UInt8(ascii: "u"):
                var scalar = (try? hexValue(at: i + 2)) ?? 0xFFFD
                i += 6
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = (try? hexValue(at: i + 2)) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                written += Self.writeUTF8(scalar, to: output + written)
            default: output[written] = c; written += 1; i += 2
            }
        }
        return written
    }

    /// Writes the UTF-8 of `scalar` to `output`; returns its length (1 to 4 bytes).
    static func writeUTF8(_ scalar: UInt32, to output: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            output[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[0] = UInt8(0xC0 | scalar >> 6)
            output[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            output[0] = UInt8(0xE0 | scalar >> 12)
            output[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            output[0] = UInt8(0xF0 | scalar >> 18)
            output[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// The decoded text of a (checked) string token, decoded straight into the string's storage.
    public func decodeString(_ token: StringToken) -> String {
        if !token.hasEscapes {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[token.content]), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: token.content.count) { decode(token, to: $0.baseAddress!) }
    }

    /// Whether a (checked) string token decodes to exactly `expected` (ASCII fast path, no allocation when unescaped).
    @inline(__always)
    public func token(_ token: StringToken, equals expected: StaticString) -> Bool {
        if !token.hasEscapes {
            let count = token.content.count
            guard count == expected.utf8CodeUnitCount else { return false }
            // Keys are short: compare in place rather than calling memcmp.
            let start = token.content.lowerBound
            for offset in 0..<count where byte(start + offset) != expected.utf8Start[offset] { return false }
            return true
        }
        return decodeString(token).hasSameScalars(as: expected.description)
    }

    // MARK: - Numbers and literals

    /// Scans a number token (RFC 8259 grammar) and returns its byte range.
    @inline(__always)
    public mutating func scanNumber() throws(JSONScanError) -> Range<Int> {
        let start = position
        var i = position
        func isDigit(_ k: Int) -> Bool { k < end && byte(k) >= UInt8(ascii: "0") && byte(k) <= UInt8(ascii: "9") }
        if i < end && byte(i) == UInt8(ascii: "-") { i += 1 }
        guard i < end else { throw JSONScanError(.unexpectedEnd, at: end) }
        if byte(i) == UInt8(ascii: "0") {
            i += 1
        } else if isDigit(i) {
            while isDigit(i) { i += 1 }
        } else {
            throw JSONScanError(.invalidNumber, at: start)
        }
        if i < end && byte(i) == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw JSONScanError(i < end ? .invalidNumber : .unexpectedEnd, at: start) }
            while isDigit(i) { i += 1 }
        }
        if i < end && (byte(i) == UInt8(ascii: "e") || byte(i) == UInt8(ascii: "E")) {
            i += 1
            if i < end && (byte(i) == UInt8(ascii: "+") || byte(i) == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw JSONScanError(i < end ? .invalidNumber : .unexpectedEnd, at: start) }
            while isDigit(i) { i += 1 }
        }
        position = i
        return start..<i
    }

    /// Scans `true`, `false` or `null`.
    public mutating func scanLiteral() throws(JSONScanError) -> Literal {
        guard position < end else { throw JSONScanError(.unexpectedEnd, at: end) }
        let text: StaticString
        let literal: Literal
        switch byte(position) {
        case UInt8(ascii: "t"): (text, literal) = ("true", .true)
        case UInt8(ascii: "f"): (text, literal) = ("false", .false)
        case UInt8(ascii: "n"): (text, literal) = ("null", .null)
        default: throw JSONScanError(.unexpectedByte(byte(position)), at: position)
        }
        for k in 0..<text.utf8CodeUnitCount {
            guard position + k < end else { throw JSONScanError(.unexpectedEnd, at: end) }
            guard byte(position + k) == text.utf8Start[k] else {
                throw JSONScanError(.unexpectedByte(byte(position + k)), at: position + k)
            }
        }
        position += text.utf8CodeUnitCount
        return literal
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
