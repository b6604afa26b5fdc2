#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The canonical form, which the chain hash covers.
///
/// The canonical serialization of a JSON value is its compact serialization (no whitespace)
/// with the members of every object, at every depth, sorted by key in the byte order of the
/// keys' UTF-8 (which is also Unicode code point order); array order is kept; numbers are written
/// as their source text (`1.0` stays `1.0`); strings are escaped as ``JSONWriter`` does
/// (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other control characters as `\u00XX` with lowercase
/// hex, everything else as raw UTF-8, `/` not escaped).
///
/// A record's canonical bytes are the canonical serialization of the record without its top-level
/// `hash` member. Its hash is the lowercase hex of SHA-256 of those bytes (`alg: "sha256"`), or
/// of HMAC-SHA-256 keyed with the audit key (`alg: "hmac-sha256"`). The written line is the
/// canonical bytes with `,"hash":"<hex>"` inserted before the final `}`, then `\n`; so a verifier
/// parses a line, removes `hash`, re-serializes canonically and must get the same bytes back.
extension AuditRecord {
    /// `prev` of the first record of a chain: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical serialization of any JSON value (also used for `argumentsSha256`).
    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writeCanonical(value, into: &writer)
        return writer.bytes
    }

    /// Appends the canonical serialization of `value`.
    static func writeCanonical(_ value: JSONValue, into writer: inout JSONWriter) {
        switch value {
        case .null, .bool, .number, .string:
            writer.write(value)
        case .array(let elements):
            writer.append("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { writer.append(",") }
                writeCanonical(element, into: &writer)
                writer.handOnIfFull()
            }
            writer.append("]")
        case .object(let object):
            writeCanonical(object, excluding: nil, into: &writer)
        }
    }

    /// Appends an object with sorted members, leaving out the member `excluded` if given.
    static func writeCanonical(_ object: JSONObject, excluding excluded: String?, into writer: inout JSONWriter) {
        let members = object.members
        writer.append("{")
        var first = true
        for index in canonicalOrder(of: members, excluding: excluded.map { [$0] } ?? []) {
            if !first { writer.append(",") }
            first = false
            writer.write(string: members[index].key)
            writer.append(":")
            writeCanonical(members[index].value, into: &writer)
            writer.handOnIfFull()
        }
        writer.append("}")
    }

    /// The indices of `members` in canonical order (by the UTF-8 bytes of their keys), without
    /// the members named in `excluded`. Keys are compared by their first eight bytes as one integer
    /// first (zero-padded, which keeps byte order), and in full only when those are equal, so
    /// sorting moves integers instead of strings.
    static func canonicalOrder(of members: [JSONObject.Member], excluding excluded: [String]) -> [Int] {
        var order: [(prefix: UInt64, index: Int)] = []
        order.reserveCapacity(members.count)
        for (index, member) in members.enumerated() {
            if !excluded.isEmpty, excluded.contains(member.key) { continue }
            var key = member.key
            let prefix = key.withUTF8 { bytes -> UInt64 in
                var value: UInt64 = 0
                for offset in 0..<8 { value = value << 8 | UInt64(offset < bytes.count ? bytes[offset] : 0) }
                return value
            }
            order.append((prefix, index))
        }
        // Insertion sort: records have a dozen members, mostly in a stable order.
        var i = 1
        while i < order.count {
            let item = order[i]
            var j = i
            while j > 0, precedes(item, order[j - 1], members) {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = item
            i += 1
        }
        return order.map(\.index)
    }

    @inline(__always)
    private static func precedes(_ a: (prefix: UInt64, index: Int), _ b: (prefix: UInt64, index: Int), _ members: [JSONObject.Member]) -> Bool {
        if a.prefix != b.prefix { return a.prefix < b.prefix }
        return utf8Precedes(members[a.index].key, members[b.index].key)
    }

    /// Whether `a` sorts before `b` by the bytes of their UTF-8 (not by Swift's `<`, which
    /// compares normalized scalars).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let order = memcmp(p, q, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
    }

    /// The canonical bytes of this record: its canonical serialization without `hash`.
    public var canonicalBytes: [UInt8] {
        var writer = JSONWriter(capacity: 512)
        Self.writeCanonical(fields, excluding: Field.hash, into: &writer)
        return writer.bytes
    }

    /// `argumentsSha256`: hex SHA-256 of the canonical serialization of the arguments (streamed
    /// into the hash, never held whole).
    public static func argumentsSha256(_ arguments: JSONValue) -> String {
        Hex.encode(AuditArguments.sha256(arguments))
    }

    /// The chain hash of canonical bytes: hex SHA-256, or hex HMAC-SHA-256 under `key`.
    public static func chainHash(of canonical: [UInt8], key: [UInt8]?) -> String {
        guard let key else { return Hex.encode(SHA256.hash(canonical)) }
        return Hex.encode(HMAC.authenticationCode(key: key, message: canonical))
    }

    /// The line written for canonical bytes and their hash: `hash` appended as the last member, then `\n`.
    public static func line(canonical: [UInt8], hash: String) -> [UInt8] {
        var line = canonical
        line.removeLast()
        if line.count > 1 { line.append(UInt8(ascii: ",")) }
        line.append(contentsOf: #""hash":""#.utf8)
        line.append(contentsOf: hash.utf8)
        line.append(contentsOf: "\"}\n".utf8)
        return line
    }

    /// Seals the record: sets `alg` for `key` and returns the line to write and its hash.
    /// `prev`, `seq`, `run` and `time` must already be set.
    public mutating func seal(key: [UInt8]?) -> (line: [UInt8], hash: String) {
        fields[Field.alg] = .string(Self.algorithm(key).rawValue)
        fields[Field.hash] = nil
        let canonical = canonicalBytes
        let hash = Self.chainHash(of: canonical, key: key)
        fields[Field.hash] = .string(hash)
        return (Self.line(canonical: canonical, hash: hash), hash)
    }

    /// The line and hash of this record with the members the log fills in (`time` unless the
    /// record has its own, `seq`, `run`, `prev`, `alg`): the same bytes as setting them and
    /// calling ``seal(key:)``, without changing the record. The log's members are merged into
    /// the record's own in canonical order as they are written, so sealing a record costs one
    /// pass over its members.
    /// `authenticator` is an ``HMAC`` already keyed (copied for each record, so the key's pads
    /// are hashed once per log), or nil for plain SHA-256.
    func sealed(time: AuditTimestamp, seq: Int, run: String, prev: String, authenticator: HMAC?) -> (line: [UInt8], hash: String) {
        let chain: [JSONObject.Member] = [
            .init(key: Field.alg, value: .string((authenticator == nil ? Algorithm.sha256 : .hmacSHA256).rawValue)),
            .init(key: Field.prev, value: .string(prev)),
            .init(key: Field.run, value: .string(run)),
            .init(key: Field.seq, value: .number(String(seq))),
            .init(key: Field.time, value: fields[Field.time] ?? .string(time.rfc3339)),
        ]
        var writer = JSONWriter(capacity: 512)
        let members = fields.members
        writer.append("{")
        var next = 0
        var first = true
        func put(_ member: JSONObject.Member, into writer: inout JSONWriter) {
            if !first { writer.append(",") }
            first = false
            writer.write(string: member.key)
            writer.append(":")
            Self.writeCanonical(member.value, into: &writer)
        }
        for index in Self.canonicalOrder(of: members, excluding: Self.sealedFields) {
            let member = members[index]
            while next < chain.count, Self.utf8Precedes(chain[next].key, member.key) {
                put(chain[next], into: &writer)
                next += 1
            }
            put(member, into: &writer)
        }
        while next < chain.count {
            put(chain[next], into: &writer)
            next += 1
        }
        writer.append("}")
        let canonical = writer.bytes
        let hash: String
        if var authenticator {
            authenticator.update(canonical)
            hash = Hex.encode(authenticator.finalize())
        } else {
            hash = Hex.encode(SHA256.hash(canonical))
        }
        return (Self.line(canonical: canonical, hash: hash), hash)
    }

    /// The members ``sealed(time:seq:run:prev:authenticator:)`` writes itself (in canonical order), and `hash`.
    static let sealedFields: [String] = [Field.alg, Field.prev, Field.run, Field.seq, Field.time, Field.hash]

    static func algorithm(_ key: [UInt8]?) -> Algorithm { key == nil ? .sha256 : .hmacSHA256 }
}
