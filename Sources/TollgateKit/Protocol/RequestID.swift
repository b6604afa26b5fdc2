/// A JSON-RPC request id, kept as the exact bytes the client sent so every reply echoes it
/// byte for byte (strings with escapes, integers beyond 2^53, negative numbers, zero).
///
/// Ids of up to 16 bytes without escapes (nearly all of them) are stored inline, so reading,
/// hashing and comparing one allocates nothing.
public struct RequestID: Sendable, Hashable, CustomStringConvertible {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var count: Int
    /// The bytes of an id that does not fit inline or holds escapes (one reference, so copying
    /// an id costs one retain at most).
    private var outOfLine: OutOfLine?

    /// The bytes of an id kept out of line.
    private final class OutOfLine: Sendable {
        /// The exact bytes.
        let stored: [UInt8]
        /// The canonical form of a string id with escapes (to match a server that re-encoded them).
        let canonical: [UInt8]?

        init(stored: [UInt8], canonical: [UInt8]? = nil) {
            self.stored = stored
            self.canonical = canonical
        }
    }

    private var stored: [UInt8]? { outOfLine?.stored }
    private var canonical: [UInt8]? { outOfLine?.canonical }

    /// Creates an id from its exact source bytes; `hasEscapes` says whether a string id holds `\` escapes.
    public init(bytes: [UInt8], isString: Bool, hasEscapes: Bool) {
        self = bytes.withUnsafeBytes { RequestID(source: $0, isString: isString, hasEscapes: hasEscapes) }
    }

    /// Creates an id from its exact source bytes without copying them when they fit inline.
    ///
    /// Ids are equal when a JSON reader sees the same id: the same JSON type (`7` is not `"7"`),
    /// strings by their decoded scalars (`"a\u0062"` is `"ab"`), integers by value (`7`, `7.0`
    /// and `70e-1` are one id; `-0` is `0`). The id keeps its exact bytes for every reply.
    public init(source: UnsafeRawBufferPointer, isString: Bool, hasEscapes: Bool) {
        count = source.count
        if isString && hasEscapes {
            let bytes = Array(source)
            outOfLine = OutOfLine(stored: bytes, canonical: (try? JSONValue.parse(bytes))?.serialized ?? bytes)
        } else if !isString, let canonical = Self.canonicalInteger(source) {
            outOfLine = OutOfLine(stored: Array(source), canonical: canonical)
        } else if source.count <= 16 {
            low = Self.word(source, from: 0)
            high = Self.word(source, from: 8)
        } else {
            outOfLine = OutOfLine(stored: Array(source))
        }
    }

    /// The plain decimal form of a number id that is an integer written another way (`7.0`,
    /// `7e0`, `-0`), when that form has at most 40 digits; nil for a plain integer (already in
    /// that form) and for anything else (kept as written).
    private static func canonicalInteger(_ source: UnsafeRawBufferPointer) -> [UInt8]? {
        var plain = true
        for byte in source where byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") { plain = false }
        let negativeZero = source.count == 2 && source[0] == UInt8(ascii: "-") && source[1] == UInt8(ascii: "0")
        if plain && !negativeZero { return nil }
        guard source.count <= 64, let value = ExactDecimal(String(decoding: source, as: UTF8.self)), value.isInteger else { return nil }
        if value.digits.isEmpty { return [UInt8(ascii: "0")] }
        guard value.exponent <= 40 else { return nil }
        var text: [UInt8] = value.negative ? [UInt8(ascii: "-")] : []
        text += value.digits
        text += [UInt8](repeating: UInt8(ascii: "0"), count: value.exponent - value.digits.count)
        return text
    }

    /// A number id's value as a double reader reads it (the bits of the nearest double, `-0`
    /// as `0`, huge values as infinity); nil for a string id.
    var doubleView: UInt64? { doubleReading?.view }

    /// A number id's ``doubleView``, and whether it is `exact`: the id is a plain integer of at
    /// most 15 digits, which a double holds exactly, so no other id reads as the same double
    /// unless it is not exact itself (`7.0000000000000001` reads as `7`); nil for a string id.
    var doubleReading: (view: UInt64, exact: Bool)? {
        withBytes { bytes -> (view: UInt64, exact: Bool)? in
            guard let first = bytes.first, first != UInt8(ascii: "\"") else { return nil }
            if outOfLine == nil, let small = Self.smallInteger(bytes) { return (small == 0 ? 0 : Double(small).bitPattern, true) }
            guard let value = Double(String(decoding: bytes, as: UTF8.self)) else { return nil }
            return (value == 0 ? 0 : value.bitPattern, false)
        }
    }

    /// The ``doubleView`` of a number id that is not exact (see ``doubleReading``); nil otherwise.
    var inexactDoubleReading: UInt64? {
        guard let reading = doubleReading, !reading.exact else { return nil }
        return reading.view
    }

    /// The exact id a double reader reads as `view` (a plain integer of at most 15 digits), if
    /// there is one.
    static func exact(doubleView view: UInt64) -> RequestID? {
        let value = Double(bitPattern: view)
        guard value.magnitude < 1e15, value == value.rounded(.towardZero) else { return nil }
        return RequestID(bytes: Array(String(Int64(value)).utf8), isString: false, hasEscapes: false)
    }

    /// The value of a plain integer of at most 15 digits (`-?[0-9]{1,15}`), which a double holds
    /// exactly: the common id, read without parsing a float; nil for anything else.
    private static func smallInteger(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard !bytes.isEmpty, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let negative = base[0] == UInt8(ascii: "-")
        var i = negative ? 1 : 0
        guard bytes.count - i >= 1 && bytes.count - i <= 15 else { return nil }
        var value: Int64 = 0
        while i < bytes.count {
            let digit = base[i] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            value = value &* 10 &+ Int64(digit)
            i += 1
        }
        return negative ? -value : value
    }

    /// Up to eight bytes of `bytes` from `start` as they lie in memory, zero-padded (a load or a
    /// few shifts instead of a call to copy them).
    @inline(__always)
    private static func word(_ bytes: UnsafeRawBufferPointer, from start: Int) -> UInt64 {
        let count = bytes.count - start
        guard count > 0 else { return 0 }
        if count >= 8 { return bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self) }
        var word: UInt64 = 0
        for k in 0..<count { word |= UInt64(bytes[start + k]) << UInt64(8 * k) }
        return UInt64(littleEndian: word)
    }

    /// Reads the id of a scanned message, if it has one of a valid kind.
    public init?(envelope: MessageEnvelope, in line: UnsafeRawBufferPointer) {
        guard let range = envelope.id, let kind = envelope.idKind, kind == .string || kind == .number else { return nil }
        self.init(source: UnsafeRawBufferPointer(rebasing: line[range]), isString: kind == .string, hasEscapes: envelope.idHasEscapes)
    }

    /// Runs `body` over the id's exact source bytes.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let stored { return try stored.withUnsafeBytes(body) }
        var words = (low, high)
        return try withUnsafeBytes(of: &words) { try body(UnsafeRawBufferPointer(start: $0.baseAddress, count: count)) }
    }

    /// The id's exact source bytes (a JSON string or number token).
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// The number of the id's source bytes.
    public var byteCount: Int { count }

    /// The id as JSON text.
    public var description: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    public static func == (lhs: RequestID, rhs: RequestID) -> Bool {
        if lhs.outOfLine == nil && rhs.outOfLine == nil {
            return lhs.count == rhs.count && lhs.low == rhs.low && lhs.high == rhs.high
        }
        return lhs.matchKey == rhs.matchKey
    }

    public func hash(into hasher: inout Hasher) {
        if outOfLine == nil {
            // One word into the hasher: the id's words mixed (the hasher's seed still applies).
            hasher.combine((low &* 0x9E37_79B9_7F4A_7C15) ^ (high &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(truncatingIfNeeded: count))
        } else {
            let key = matchKey
            if key.count <= 16 {
                // Hash as the inline form would, so equal ids hash alike whichever form they take.
                let inline = key.withUnsafeBytes { RequestID(source: $0, isString: false, hasEscapes: false) }
                inline.hash(into: &hasher)
            } else {
                key.withUnsafeBytes { hasher.combine(bytes: $0) }
            }
        }
    }

    /// A hash for ``PendingTable``: ids that are equal hash alike; `seed` differs per table, so a
    /// client cannot pick ids that collide.
    func tableHash(seed: UInt64) -> UInt64 {
        if outOfLine == nil { return Self.mix(low, high, count, seed: seed) }
        let key = matchKey
        if key.count <= 16 {
            return key.withUnsafeBytes { RequestID(source: $0, isString: false, hasEscapes: false) }.tableHash(seed: seed)
        }
        // Long ids go through the standard library's keyed hash (SipHash, seeded per process),
        // so no id can be crafted to collide with others.
        var hasher = Hasher()
        hasher.combine(seed)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return Self.mix(UInt64(UInt(bitPattern: hasher.finalize())), 0, key.count, seed: seed)
    }

    @inline(__always)
    private static func mix(_ low: UInt64, _ high: UInt64, _ count: Int, seed: UInt64) -> UInt64 {
        var x = (low ^ seed) &* 0x9E37_79B9_7F4A_7C15
        x ^= (high &+ UInt64(truncatingIfNeeded: count)) &* 0xC2B2_AE3D_27D4_EB4F
        x ^= x >> 29
        x &*= 0xBF58_476D_1CE4_E5B9
        return x ^ (x >> 32)
    }

    /// The form ids are matched by: the canonical form of a string id with escapes, else the bytes.
    private var matchKey: [UInt8] { canonical ?? stored ?? bytes }
}
