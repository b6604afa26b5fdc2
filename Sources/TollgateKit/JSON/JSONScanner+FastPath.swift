#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
extension JSONScanner {
    /// The most objects and arrays the fast path keeps open at once.
    static let fastPathLevels = 64
    /// The most keys of all open objects together the fast path remembers (plus one slot per
    /// open object): 48 slots of 16 bytes stay within a stack allocation.
    static let fastPathKeys = 48

    /// Checks the object or array at the current position on the fast path: plain JSON (ASCII
    /// keys without escapes, objects of up to ``inlineKeys`` keys, nesting within
    /// ``fastPathLevels``) is checked in one tight loop over local state. Returns the offset after
    /// the container, or nil when the fast path cannot vouch for it (anything unusual, or an
    /// error); the caller then checks it with the exact walker, which finds and reports the
    /// error. So the fast path never changes what is accepted, only what it costs.
    @inline(__always)
    func fastSkipContainer(depth: Int) -> Int? {
        guard usesFastPath, !allowsCommentsAndTrailingCommas else { return nil }
        var ignored = IgnoringMembers()
        return withUnsafeTemporaryAllocation(of: FastKey.self, capacity: Self.fastPathKeys) { keys in
            fastWalk(from: position, depth: depth, keys: keys.baseAddress!, observer: &ignored)
        }
    }

    /// A key the fast path remembers: its first eight bytes (zero-padded), where it starts and
    /// how long it is (no escapes in it). Two keys are equal when their lengths and prefixes are,
    /// and, past eight bytes, their remaining bytes.
    struct FastKey {
        var prefix: UInt64
        var start: Int32
        /// The key's length; -1 marks the slot saved when an object opens, whose `start` holds
        /// where the enclosing object's keys start (restored when the object closes).
        var count: Int32
    }

    /// Walks the container at `start` (a `{` or `[`), checking all of it; returns the offset after
    /// it, or nil when the fast path gives up. `depth` is the container's nesting level.
    /// `observer` sees the members of the outermost object (see ``FastWalkObserver``).
    @inline(__always)
    func fastWalk<Observer: FastWalkObserver>(
        from start: Int, depth: Int, keys: UnsafeMutablePointer<FastKey>, observer: inout Observer
    ) -> Int? {
        let p = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = end
        let levels = min(Self.fastPathLevels, maxDepth - depth)
        guard levels >= 1 else { return nil }
        var i = start
        // Bit `level` of `objects` is set when the container open at that level is an object
        // (masking shifts: levels stay below 64, so no shift needs the over-shift check).
        var objects: UInt64 = p[i] == UInt8(ascii: "{") ? 1 : 0
        var top = 0
        // Where the innermost object's keys start on the key stack; bases of outer objects are
        // saved in the slot pushed when each opened.
        var keyCount = 0
        var keyBase = 0
        // Where the value of the outermost object's current member starts.
        var memberStart = 0
        i += 1
        var expectingFirst = true
        while true {
            Self.skipSpace(p, n, &i)
            guard i < n else { return nil }
            let inObject = objects &>> UInt64(truncatingIfNeeded: top) & 1 != 0
            var c = p[i]
            if !(expectingFirst && c == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))) {
                if inObject {
                    // A key: plain, and not one this object has already.
                    guard c == UInt8(ascii: "\"") else { return nil }
                    let keyStart = i + 1
                    guard Self.skipPlainString(p, n, &i) else { return nil }
                    let count = i - 1 - keyStart
                    guard keyCount - keyBase < Self.inlineKeys, keyCount < Self.fastPathKeys else { return nil }
                    let prefix = Self.prefixWord(p, n, keyStart, count)
                    var k = keyBase
                    while k < keyCount {
                        if keys[k].prefix == prefix && Int(keys[k].count) == count
                            && (count <= 8 || memcmp(p + Int(keys[k].start) + 8, p + keyStart + 8, count - 8) == 0)
                        {
                            return nil
                        }
                        k += 1
                    }
                    keys[keyCount] = FastKey(prefix: prefix, start: Int32(truncatingIfNeeded: keyStart), count: Int32(truncatingIfNeeded: count))
                    keyCount += 1
                    if Observer.observes && top == 0 { observer.key(prefix: prefix, count: count) }
                    Self.skipSpace(p, n, &i)
                    guard i < n, p[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    Self.skipSpace(p, n, &i)
                    guard i < n else { return nil }
                    c = p[i]
                }
                // A value.
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    if Observer.observes && top == 0 { memberStart = i }
                    top += 1
                    guard top < levels else { return nil }
                    if c == UInt8(ascii: "{") {
                        objects |= 1 &<< UInt64(truncatingIfNeeded: top)
                        // Save the enclosing object's key base in a slot the new object will not use.
                        guard keyCount < Self.fastPathKeys else { return nil }
                        keys[keyCount] = FastKey(prefix: 0, start: Int32(truncatingIfNeeded: keyBase), count: -1)
                        keyCount += 1
                        keyBase = keyCount
                    } else {
                        objects &= ~(1 &<< UInt64(truncatingIfNeeded: top))
                    }
                    i += 1
                    expectingFirst = true
                    continue
                }
                let valueStart = i
                var escaped = false
                if c == UInt8(ascii: "\"") {
                    // Values may hold escapes and any UTF-8: a plain one is skipped here, any
                    // other goes through the string scanner, which checks them.
                    if !Self.skipPlainString(p, n, &i) {
                        var scanner = self
                        scanner.position = valueStart
                        guard let token = try? scanner.scanString() else { return nil }
                        escaped = token.hasEscapes
                        i = scanner.position
                    }
                } else if c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") <= 9 {
                    guard Self.skipNumber(p, n, &i) else { return nil }
                } else {
                    guard Self.skipLiteral(p, n, &i) else { return nil }
                }
                if Observer.observes && top == 0 { observer.value(valueStart..<i, first: c, escaped: escaped) }
                Self.skipSpace(p, n, &i)
                guard i < n else { return nil }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    expectingFirst = false
                    continue
                }
            }
            // A close, possibly of several containers in a row.
            while true {
                let isObject = objects &>> UInt64(truncatingIfNeeded: top) & 1 != 0
                guard p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return nil }
                i += 1
                if top == 0 { return i }
                if isObject {
                    // Drop this object's keys and its saved slot; restore the enclosing base.
                    keyCount = keyBase - 1
                    keyBase = Int(keys[keyCount].start)
                }
                top -= 1
                if Observer.observes && top == 0 { observer.value(memberStart..<i, first: p[memberStart], escaped: false) }
                Self.skipSpace(p, n, &i)
                guard i < n else { return nil }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    expectingFirst = false
                    break
                }
            }
        }
    }

    @inline(__always)
    static func skipSpace(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) {
        // Compact JSON has none: one comparison decides.
        guard i < n, p[i] <= 0x20 else { return }
        while i < n {
            let b = p[i]
            guard b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D else { return }
            i += 1
        }
    }

    /// The first eight bytes of a key, zero-padded, as a little-endian number (the first byte
    /// lowest): with the length, a key of up to eight bytes is told apart from every other by one
    /// comparison.
    @inline(__always)
    static func prefixWord(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ count: Int) -> UInt64 {
        if start + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + start).loadUnaligned(as: UInt64.self))
            return count >= 8 ? word : word & ((1 &<< UInt64(truncatingIfNeeded: count &* 8)) &- 1)
        }
        var word: UInt64 = 0
        for k in 0..<min(count, 8) { word |= UInt64(p[start + k]) &<< UInt64(truncatingIfNeeded: 8 * k) }
        return word
    }

    /// Skips a plain string (no escapes, no control bytes, ASCII) whose quote is at `i`; false
    /// otherwise (then `i` is meaningless).
    @inline(__always)
    static func skipPlainString(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Bool {
        i += 1
        while i + 8 <= n {
            let special = specialBytes(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            if special != 0 {
                i += special.trailingZeroBitCount >> 3
                guard p[i] == UInt8(ascii: "\"") else { return false }
                i += 1
                return true
            }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return true
            }
            guard b >= 0x20 && b < 0x80 && b != UInt8(ascii: "\\") else { return false }
            i += 1
        }
        return false
    }

    /// Skips a number (RFC 8259 grammar) at `i`; false if it is not one. What follows is checked
    /// by the caller (`01` stops after `0`, and the `1` is then refused as a delimiter).
    @inline(__always)
    static func skipNumber(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Bool {
        if p[i] == UInt8(ascii: "-") {
            i += 1
            guard i < n else { return false }
        }
        let lead = p[i] &- UInt8(ascii: "0")
        guard lead <= 9 else { return false }
        i += 1
        if lead != 0 { skipDigits(p, n, &i) }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, p[i] &- UInt8(ascii: "0") <= 9 else { return false }
            skipDigits(p, n, &i)
        }
        if i < n && p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < n, p[i] &- UInt8(ascii: "0") <= 9 else { return false }
            skipDigits(p, n, &i)
        }
        return true
    }

    @inline(__always)
    private static func skipDigits(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) {
        while i < n && p[i] &- UInt8(ascii: "0") <= 9 { i += 1 }
    }

    /// Skips `true`, `false` or `null` at `i` by comparing words; false if it is none of them.
    @inline(__always)
    static func skipLiteral(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Bool {
        guard i + 4 <= n else { return false }
        // Little-endian words of "true", "null" and "fals".
        let word = UInt32(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self))
        if word == 0x6575_7274 || word == 0x6C6C_756E {
            i += 4
            return true
        }
        guard word == 0x736C_6166, i + 5 <= n, p[i + 4] == UInt8(ascii: "e") else { return false }
        i += 5
        return true
    }
}

/// What the fast walk tells about the members of the outermost object it walks: each key (as its
/// prefix word and length) and then the range of its value. A walk that gives up tells nothing
/// dependable; its observer's findings are then discarded.
protocol FastWalkObserver {
    /// Whether the walk calls the observer at all (false compiles the calls away).
    static var observes: Bool { get }
    /// A key of the outermost object.
    mutating func key(prefix: UInt64, count: Int)
    /// The value of the key last told: its bytes, its first byte and, for a string, whether it
    /// holds escapes.
    mutating func value(_ range: Range<Int>, first: UInt8, escaped: Bool)
}

/// The observer of a walk that only checks.
struct IgnoringMembers: FastWalkObserver {
    static var observes: Bool { false }
    func key(prefix: UInt64, count: Int) {}
    func value(_ range: Range<Int>, first: UInt8, escaped: Bool) {}
}
