#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The seed of every key hash in this process, random per run: a peer cannot know which keys collide.
private let keyHashSeed = UInt64.random(in: .min ... .max)

extension JSONScanner {
    /// The keys of one object with more than ``JSONScanner/inlineKeys`` members, checked for
    /// duplicates whatever the keys: expected linear time, at worst O(n log n).
    ///
    /// Keys are hashed by their decoded bytes with a seeded hash (SipHash keyed per process by
    /// the standard library, plus a seed of Tollgate's own) into an open-addressed table; keys
    /// whose hashes are equal are compared by their exact decoded bytes. Should the table ever
    /// work harder than a few probes per key (keys crafted by someone who knows the seed), the
    /// object is checked by sorting its keys' decoded bytes when it closes instead.
    struct KeySet {
        private struct Entry {
            var hash: UInt64
            var token: StringToken
        }

        private var entries: [Entry] = []
        /// Positions into `entries`, or -1 for a free slot (power-of-two count).
        private var slots: [Int32]
        /// Probes and full comparisons so far (the table's work).
        private var work = 0
        /// Whether the table gave up (too much work): the keys are checked by sorting in ``finish(scanner:)``.
        private var sorting = false

        /// How much work per key the table may do before the object is checked by sorting.
        static let workPerKey = 8
        /// Work any object may do whatever its size (small tables probe a little more).
        static let workAllowance = 64

        /// An empty set; `checksBySorting` skips the table (what crafted collisions lead to; for tests).
        init(checksBySorting: Bool = false) {
            slots = checksBySorting ? [] : Array(repeating: -1, count: 64)
            sorting = checksBySorting
        }

        /// The number of keys.
        var count: Int { entries.count }

        /// Adds a key (`keyStart` is where its opening quote is), failing if the object has it already.
        mutating func insert(_ key: StringToken, at keyStart: Int, scanner: JSONScanner) throws(JSONScanError) {
            let hash = scanner.seededHash(of: key)
            guard !sorting else {
                entries.append(Entry(hash: hash, token: key))
                return
            }
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 {
                let other = entries[Int(slots[slot])]
                work += 1
                if other.hash == hash && scanner.sameDecodedContent(other.token, key) {
                    throw JSONScanError(.duplicateKey(scanner.decodeString(key)), at: keyStart)
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = Int32(truncatingIfNeeded: entries.count)
            entries.append(Entry(hash: hash, token: key))
            if work > Self.workPerKey * entries.count + Self.workAllowance {
                // Crafted collisions: stop probing, check by sorting when the object closes.
                sorting = true
                slots = []
                return
            }
            if entries.count * 2 > slots.count { grow() }
        }

        /// Finishes the object's check: a no-op unless the table gave up, else the keys are
        /// sorted by their decoded bytes and the earliest repeated key is reported.
        func finish(scanner: JSONScanner) throws(JSONScanError) {
            guard sorting else { return }
            // Decoded copies of escaped keys; plain keys are compared where they lie.
            var decoded: [[UInt8]?] = Array(repeating: nil, count: entries.count)
            for (index, entry) in entries.enumerated() where entry.token.hasEscapes {
                var bytes: [UInt8] = []
                scanner.decode(entry.token, into: &bytes)
                decoded[index] = bytes
            }
            let base = scanner.bytes.baseAddress!
            func compare(_ a: Int, _ b: Int) -> Int32 {
                func withKey<R>(_ index: Int, _ body: (UnsafeRawPointer, Int) -> R) -> R {
                    if let copy = decoded[index] { return copy.withUnsafeBytes { body($0.baseAddress ?? base, $0.count) } }
                    let content = entries[index].token.content
                    return body(base + content.lowerBound, content.count)
                }
                return withKey(a) { pa, na in
                    withKey(b) { pb, nb in
                        let order = memcmp(pa, pb, min(na, nb))
                        return order != 0 ? order : (na < nb ? -1 : (na > nb ? 1 : 0))
                    }
                }
            }
            // Equal keys end up side by side, in the order they were written.
            let order = entries.indices.sorted { a, b in
                let result = compare(a, b)
                return result != 0 ? result < 0 : entries[a].token.content.lowerBound < entries[b].token.content.lowerBound
            }
            var repeated: Int?
            for k in order.indices.dropFirst() where compare(order[k - 1], order[k]) == 0 {
                let position = entries[order[k]].token.content.lowerBound
                if repeated.map({ position < entries[$0].token.content.lowerBound }) ?? true { repeated = order[k] }
            }
            if let repeated {
                let token = entries[repeated].token
                throw JSONScanError(.duplicateKey(scanner.decodeString(token)), at: token.content.lowerBound - 1)
            }
        }

        private mutating func grow() {
            slots = Array(repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for (position, entry) in entries.enumerated() {
                var slot = Int(truncatingIfNeeded: entry.hash) & mask
                while slots[slot] >= 0 {
                    slot = (slot + 1) & mask
                    work += 1
                }
                slots[slot] = Int32(truncatingIfNeeded: position)
            }
            if work > Self.workPerKey * entries.count + Self.workAllowance {
                sorting = true
                slots = []
            }
        }
    }

    /// A seeded hash of a key's decoded bytes (escapes decoded, so `"a"` and `"\u0061"` hash alike).
    func seededHash(of token: StringToken) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(keyHashSeed)
        if token.hasEscapes {
            var decoded: [UInt8] = []
            decode(token, into: &decoded)
            decoded.withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: bytes[token.content]))
        }
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }
}
