/// A name a peer sends that decides or routes something (a tool, server prefix, prompt, URI,
/// URI scheme, method, rule key), compared and hashed by its UTF-8 bytes.
///
/// Swift's `String` equality is canonical equivalence: U+212A KELVIN SIGN equals `"K"`, and
/// `"é"` equals `"e\u{301}"`. The servers behind Tollgate compare bytes, so a name that decides
/// or routes must never meet `String` equality, hashing or `hasPrefix`: wrap it in this type for
/// dictionary and set keys, and compare with ``String/hasSameScalars(as:)`` otherwise.
public struct ProtocolName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name.
    public let text: String

    /// Wraps `text`.
    public init(_ text: String) { self.text = text }

    public init(stringLiteral value: String) { text = value }

    public var description: String { text }

    public static func == (lhs: ProtocolName, rhs: ProtocolName) -> Bool {
        lhs.text.hasSameScalars(as: rhs.text)
    }

    public func hash(into hasher: inout Hasher) { text.hashScalars(into: &hasher) }

    /// Whether the name starts with `prefix`, byte for byte.
    public func hasBytePrefix(_ prefix: String) -> Bool {
        text.utf8.count >= prefix.utf8.count && text.utf8.starts(with: prefix.utf8)
    }
}

extension String {
    /// Whether the string starts with `prefix` byte for byte (unlike `hasPrefix`, which compares
    /// characters by canonical equivalence).
    func hasBytePrefix(_ prefix: String) -> Bool {
        utf8.count >= prefix.utf8.count && utf8.starts(with: prefix.utf8)
    }

    /// The bytes after a `prefix` of `count` UTF-8 bytes (the prefix must be known to lie on a
    /// scalar boundary, as a byte-matched valid UTF-8 prefix does).
    func droppingBytes(_ count: Int) -> String {
        String(decoding: utf8.dropFirst(count), as: UTF8.self)
    }
}
