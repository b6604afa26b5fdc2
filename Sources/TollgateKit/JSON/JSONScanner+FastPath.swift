extension JSONScanner {
    /// The most objects and arrays the fast path keeps open at once.
    static let fastPathLevels = 64
    /// The most keys of all open objects together the fast path remembers.
    static let fastPathKeys = 32

    /// Checks the object or array at the current position on the fast path: compact, plain JSON
    /// (ASCII strings without escapes, objects of up to ``inlineKeys`` keys, nesting within
    /// ``fastPathLevels``) is checked in one tight loop over local state. Returns the offset after
    /// the container, or nil when the fast path cannot vouch for it (anything unusual, or an
    /// error); the caller then checks it with the exact walker, which finds and reports the
    /// error. So the fast path never changes what is accepted, only what it costs.
    @inline(__always)
    func fastSkipContainer(depth: Int) -> Int? {
        guard !allowsCommentsAndTrailingCommas, maxDepth - depth >= 1 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.fastPathLevels) { kinds in
            withUnsafeTemporaryAllocation(of: FastKey.self, capacity: Self.fastPathKeys) { keys in
                fastWalk(depth: depth, kinds: kinds.baseAddress!, keys: keys.baseAddress!)
            }
        }
    }

    /// A key the fast path remembers: where it starts and how long it is (no escapes in it).
    struct FastKey {
        var start: Int32
        var count: Int32
        /// For the slot saved when an object opens (marked by `count` -1): where the enclosing
        /// object's keys start, restored when this object closes. 0 for a key.
        var objectBase: Int32
    }

    private func fastWalk(depth: Int, kinds: UnsafeMutablePointer<UInt8>, keys: UnsafeMutablePointer<FastKey>) -> Int? {
        let p = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = end
        let levels = min(Self.fastPathLevels, maxDepth - depth)
        var i = position
        // kinds[level]: `{` or `[` of each open container; keyBase: where the innermost object's
        // keys start on the key stack; bases of outer objects are saved in their first key.
        var top = 0
        var keyCount = 0
        var keyBase = 0
        kinds[0] = p[i]
        i += 1

        // Expecting the first member or element (or the end) of the innermost container.
        var expectingFirst = true
        while true {
            Self.skipSpace(p, n, &i)
            guard i < n else { return nil }
            let isObject = kinds[top] == UInt8(ascii: "{")
            if expectingFirst && p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                // An empty container: handled below as a close.
            } else {
                if isObject {
                    // A key: plain, and not one this object has already.
                    guard p[i] == UInt8(ascii: "\"") else { return nil }
                    let keyStart = i + 1
                    guard Self.skipPlainString(p, n, &i) else { return nil }
                    let count = i - 1 - keyStart
                    guard keyCount - keyBase < Self.inlineKeys, keyCount < Self.fastPathKeys else { return nil }
                    var k = keyBase
                    while k < keyCount {
                        if Int(keys[k].count) == count && memcmp(p + Int(keys[k].start), p + keyStart, count) == 0 { return nil }
                        k += 1
                    }
                    keys[keyCount] = FastKey(start: Int32(truncatingIfNeeded: keyStart), count: Int32(truncatingIfNeeded: count), objectBase: 0)
                    keyCount += 1
                    Self.skipSpace(p, n, &i)
                    guard i < n, p[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    Self.skipSpace(p, n, &i)
                    guard i < n else { return nil }
                }
                // A value.
                let first = p[i]
                if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                    top += 1
                    guard top < levels else { return nil }
                    kinds[top] = first
                    if first == UInt8(ascii: "{") {
                        // Save the enclosing object's key base in a slot the new object will not use.
                        guard keyCount < Self.fastPathKeys else { return nil }
                        keys[keyCount] = FastKey(start: 0, count: -1, objectBase: Int32(truncatingIfNeeded: keyBase))
                        keyCount += 1
                        keyBase = keyCount
                    }
                    i += 1
                    expectingFirst = true
                    continue
                }
                if first == UInt8(ascii: "\"") {
                    // Values may hold escapes and any UTF-8: a plain one is skipped here, any
                    // other goes through the string scanner, which checks them.
                    let start = i
                    if !Self.skipPlainString(p, n, &i) {
                        var scanner = self
                        scanner.position = start
                        guard (try? scanner.scanString()) != nil else { return nil }
                        i = scanner.position
                    }
                } else {
                    guard skipScalar(&i) else { return nil }
                }
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
                let closing = kinds[top] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard p[i] == closing else { return nil }
                i += 1
                if kinds[top] == UInt8(ascii: "{") && top > 0 {
                    // Drop this object's keys and its saved slot; restore the enclosing base.
                    keyCount = keyBase - 1
                    keyBase = Int(keys[keyCount].objectBase)
                }
                if top == 0 { return i }
                top -= 1
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
    private static func skipSpace(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) {
        while i < n {
            let b = p[i]
            guard b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D else { return }
            i += 1
        }
    }

    /// Skips a plain string (no escapes, no control bytes, ASCII) whose quote is at `i`; false
    /// otherwise (then `i` is meaningless).
    @inline(__always)
    private static func skipPlainString(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Bool {
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

    /// Skips a number or a literal at `i` by its grammar; false if it is not one.
    @inline(__always)
    private func skipScalar(_ i: inout Int) -> Bool {
        var scanner = self
        scanner.position = i
        switch byte(i) {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard (try? scanner.scanNumber()) != nil else { return false }
        default:
            guard (try? scanner.scanLiteral()) != nil else { return false }
        }
        i = scanner.position
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
