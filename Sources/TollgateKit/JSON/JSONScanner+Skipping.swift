extension JSONScanner {
    /// Checks and skips one value of any kind. `depth` is the nesting level of the value's container.
    ///
    /// This is the relay's hot path (every `params`, `result` and `error` of every message goes
    /// through it), so containers are walked by one loop over an explicit stack rather than by
    /// recursion through closures: about a fifth of the instructions per token.
    public mutating func skipValue(depth: Int) throws(JSONScanError) {
        switch try peekSignificant() {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer(depth: depth)
        default: _ = try scanLiteral()
        }
    }

    /// One open container of ``skipContainer(depth:)``, packed into eight bytes so that the
    /// default nesting limit's worth of them fits the stack (temporary allocations past 1 KiB go
    /// to the heap).
    struct OpenContainer {
        /// Where its keys start on the key stack.
        var keyBase: Int32
        /// How many keys it has, up to ``JSONScanner/inlineKeys`` (then it spills).
        var keyCount: UInt16
        /// Whether it is an object (else an array).
        var isObject: Bool
        /// Whether its keys moved into a ``KeySet`` (more than ``inlineKeys`` of them).
        var spilled: Bool

        init(isObject: Bool, keyBase: Int) {
            self.keyBase = Int32(truncatingIfNeeded: keyBase)
            self.keyCount = 0
            self.isObject = isObject
            self.spilled = false
        }
    }

    /// Where the walk is inside the innermost open container.
    private enum Step { case afterOpen, key, value, afterValue }

    /// Skips the object or array at the current position, checking all of it.
    private mutating func skipContainer(depth: Int) throws(JSONScanError) {
        if let after = fastSkipContainer(depth: depth) {
            position = after
            return
        }
        guard depth < maxDepth else { throw JSONScanError(.tooDeep(limit: maxDepth), at: position) }
        // At most the default limit's worth of levels on the stack; a deeper limit asks for more.
        let levels = maxDepth - depth
        try withUnsafeTemporaryAllocation(of: OpenContainer.self, capacity: levels) { (open: UnsafeMutableBufferPointer<OpenContainer>) throws(JSONScanError) in
            try withUnsafeTemporaryAllocation(of: StringToken.self, capacity: Self.inlineKeyStack) { (inline: UnsafeMutableBufferPointer<StringToken>) throws(JSONScanError) in
                var keys = KeyStack(inline: inline)
                defer { keys.release() }
                try walkContainer(depth: depth, open: open, keys: &keys)
            }
        }
    }

    /// How many keys of all open objects together live on the stack before the key stack moves
    /// to the heap.
    static let inlineKeyStack = 40

    @inline(__always)
    private mutating func walkContainer(depth: Int, open: UnsafeMutableBufferPointer<OpenContainer>, keys: inout KeyStack) throws(JSONScanError) {
        var top = 0
        open[0] = OpenContainer(isObject: byte(position) == UInt8(ascii: "{"), keyBase: 0)
        position += 1
        var spills: [Int: KeySet] = Dictionary()
        var step = Step.afterOpen
        while true {
            switch step {
            case .afterOpen:
                let next = try peekSignificant()
                if next == (open[top].isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    if top == 0 { return }
                    top -= 1
                    step = .afterValue
                } else {
                    step = open[top].isObject ? .key : .value
                }
            case .key:
                guard try peekSignificant() == UInt8(ascii: "\"") else {
                    throw JSONScanError(.unexpectedByte(byte(position)), at: position)
                }
                let keyStart = position
                let key = try scanString()
                try note(key, at: keyStart, in: &open[top], level: top, keys: &keys, spills: &spills)
                try expect(UInt8(ascii: ":"))
                step = .value
            case .value:
                let first = try peekSignificant()
                switch first {
                case UInt8(ascii: "\""): _ = try scanString()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard depth + top + 1 < maxDepth else { throw JSONScanError(.tooDeep(limit: maxDepth), at: position) }
                    top += 1
                    open[top] = OpenContainer(isObject: first == UInt8(ascii: "{"), keyBase: keys.count)
                    position += 1
                    step = .afterOpen
                    continue
                default: _ = try scanLiteral()
                }
                step = .afterValue
            case .afterValue:
                let next = try peekSignificant()
                position += 1
                let close = open[top].isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if next == UInt8(ascii: ",") {
                    if allowsCommentsAndTrailingCommas, try peekSignificant() == close {
                        position += 1
                    } else {
                        step = open[top].isObject ? .key : .value
                        continue
                    }
                } else if next != close {
                    throw JSONScanError(.unexpectedByte(next), at: position - 1)
                }
                // The container closed: its keys leave the stack.
                if open[top].isObject {
                    keys.count = Int(open[top].keyBase)
                    if open[top].spilled {
                        try spills[top]?.finish(scanner: self)
                        spills[top] = nil
                    }
                }
                if top == 0 { return }
                top -= 1
                step = .afterValue
            }
        }
    }

    /// Records a key of the open object `container`, failing if the object has it already.
    @inline(__always)
    private func note(
        _ key: StringToken, at keyStart: Int, in container: inout OpenContainer, level: Int,
        keys: inout KeyStack, spills: inout [Int: KeySet]
    ) throws(JSONScanError) {
        if !container.spilled && Int(container.keyCount) < Self.inlineKeys {
            let base = Int(container.keyBase)
            for i in base..<(base + Int(container.keyCount)) where isSameKey(keys[i], key) {
                throw JSONScanError(.duplicateKey(decodeString(key)), at: keyStart)
            }
            keys.push(key)
            container.keyCount += 1
            return
        }
        if !container.spilled {
            // Many keys: move this object's keys into a key set.
            var set = KeySet()
            let base = Int(container.keyBase)
            for i in base..<(base + Int(container.keyCount)) {
                try set.insert(keys[i], at: keys[i].content.lowerBound - 1, scanner: self)
            }
            keys.count = base
            container.spilled = true
            spills[level] = set
        }
        try spills[level]!.insert(key, at: keyStart, scanner: self)
    }
}

/// The keys of the objects open during ``JSONScanner/skipValue(depth:)``, innermost last: on the
/// stack while they fit, then on the heap.
struct KeyStack {
    private var storage: UnsafeMutablePointer<JSONScanner.StringToken>
    private var capacity: Int
    private var ownsStorage = false
    /// How many keys are on the stack.
    var count = 0

    init(inline: UnsafeMutableBufferPointer<JSONScanner.StringToken>) {
        storage = inline.baseAddress!
        capacity = inline.count
    }

    subscript(index: Int) -> JSONScanner.StringToken {
        @inline(__always) get { storage[index] }
    }

    @inline(__always)
    mutating func push(_ key: JSONScanner.StringToken) {
        if count == capacity { grow() }
        (storage + count).initialize(to: key)
        count += 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<JSONScanner.StringToken>.allocate(capacity: capacity * 2)
        larger.initialize(from: storage, count: count)
        if ownsStorage { storage.deallocate() }
        storage = larger
        capacity *= 2
        ownsStorage = true
    }

    /// Frees heap storage, if the stack moved there.
    mutating func release() {
        if ownsStorage { storage.deallocate() }
        ownsStorage = false
    }
}
