extension JSONScanner {
    /// Skips one value of bytes the scanner has checked already (a second look at part of a
    /// message, such as a tool call's `params`): it only matches brackets and quotes, so it costs
    /// a few instructions per byte. On bytes that were not checked its result is meaningless.
    public mutating func skipCheckedValue() {
        skipWhitespace()
        var depth = 0
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while position < end {
            switch base[position] {
            case UInt8(ascii: "\""):
                skipCheckedString()
                if depth == 0 { return }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    position += 1
                    return
                }
            case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                // A number or a literal: it ends at the next delimiter.
                if depth == 0 {
                    while position < end, !Self.isDelimiter(base[position]) { position += 1 }
                    return
                }
            }
            position += 1
        }
    }

    /// Skips a checked string token, its quotes included: eight bytes at a time up to the next
    /// quote or backslash (arguments carry long strings: file contents, documents).
    @inline(__always)
    private mutating func skipCheckedString() {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var i = position + 1
        while i < end {
            while i + 8 <= end {
                let flags = Self.quotesAndBackslashes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if flags != 0 {
                    i += flags.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < end else { break }
            let b = base[i]
            if b == UInt8(ascii: "\"") { break }
            i += b == UInt8(ascii: "\\") ? 2 : 1
        }
        position = i + 1
    }

    /// Flags (high bit of each byte) the quotes and backslashes of a word; the lowest flag is
    /// exact, higher ones may be false positives.
    @inline(__always)
    static func quotesAndBackslashes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & 0x8080_8080_8080_8080
    }

    @inline(__always)
    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: true
        default: false
        }
    }
}

extension JSONScanner {
    /// The next significant byte of checked bytes (0 at the end).
    @inline(__always)
    public mutating func nextByte() -> UInt8 {
        skipWhitespace()
        return position < end ? byte(position) : 0
    }

    /// Reads a string token of checked bytes at the current position.
    @inline(__always)
    public mutating func checkedString() -> StringToken {
        skipWhitespace()
        let start = position + 1
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var i = start
        var escaped = false
        while i < end {
            let b = base[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escaped = true
                i += 2
            } else {
                i += 1
            }
        }
        position = i + 1
        return StringToken(content: start..<min(i, end), hasEscapes: escaped)
    }

    /// Calls `member` for each key of the checked object at the current position, with the
    /// scanner before the member's value; `member` must consume the value.
    @inline(__always)
    public mutating func forEachCheckedMember(_ member: (inout JSONScanner, StringToken) -> Void) {
        guard nextByte() == UInt8(ascii: "{") else { return }
        position += 1
        while true {
            let next = nextByte()
            if next == UInt8(ascii: "}") || next == 0 {
                position += 1
                return
            }
            if next == UInt8(ascii: ",") {
                position += 1
                continue
            }
            let key = checkedString()
            guard nextByte() == UInt8(ascii: ":") else { return }
            position += 1
            member(&self, key)
        }
    }
}

extension JSONScanner {
    /// Builds the tree of the checked value at the current position (a second look at part of a
    /// message the scanner accepted, such as a call's arguments): no check is made again, so it
    /// costs about what building the tree does. On bytes that were not checked its result is
    /// meaningless (but it always ends).
    public mutating func parseCheckedValue() -> JSONValue {
        switch nextByte() {
        case UInt8(ascii: "{"):
            position += 1
            var members: [JSONObject.Member] = []
            while true {
                let next = nextByte()
                if next == UInt8(ascii: "}") || next == 0 { break }
                if next == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                let key = decodeString(checkedString())
                _ = nextByte()
                position += 1  // the `:`
                members.append(JSONObject.Member(key: key, value: parseCheckedValue()))
            }
            position += 1
            return .object(JSONObject(uncheckedMembers: members))
        case UInt8(ascii: "["):
            position += 1
            var elements: [JSONValue] = []
            while true {
                let next = nextByte()
                if next == UInt8(ascii: "]") || next == 0 { break }
                if next == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                elements.append(parseCheckedValue())
            }
            position += 1
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(decodeString(checkedString()))
        case UInt8(ascii: "t"):
            position += 4
            return .bool(true)
        case UInt8(ascii: "f"):
            position += 5
            return .bool(false)
        case UInt8(ascii: "n"):
            position += 4
            return .null
        default:
            let start = min(position, end)
            skipCheckedValue()
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<max(min(position, end), start)]), as: UTF8.self))
        }
    }
}
