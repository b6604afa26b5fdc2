/// One reply of a Redis server in RESP2, the protocol's second version (Redis 2.0 and later, and
/// Valkey): a simple string (`+OK`), an error (`-ERR …`), an integer (`:1`), a bulk string
/// (`$5 hello`, or null) or an array (of replies, or null).
public enum RESPValue: Sendable, Hashable {
    /// `+text`.
    case simple([UInt8])
    /// `-CODE message`: the command failed; the connection stays usable.
    case error([UInt8])
    /// `:n`.
    case integer(Int64)
    /// `$n bytes`, or nil for the null bulk string (`$-1`).
    case bulk([UInt8]?)
    /// `*n replies`, or nil for the null array (`*-1`).
    case array([RESPValue]?)

    /// The error's text, when this is an error.
    public var errorText: String? {
        if case .error(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// Whether this is an error whose code (its first word) is `code`, such as `NOSCRIPT`.
    public func isError(code: String) -> Bool {
        guard case .error(let bytes) = self else { return false }
        let word = bytes.prefix { $0 != UInt8(ascii: " ") }
        return word.elementsEqual(code.utf8)
    }

    /// The integer, or the number a bulk or simple string spells (Lua scripts return strings for
    /// numbers they keep as text).
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes?), .simple(let bytes): RESPParser.integer(bytes[...])
        default: nil
        }
    }

    /// The bytes of a bulk or simple string.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes?), .simple(let bytes): bytes
        default: nil
        }
    }

    /// The elements of a non-null array.
    public var elements: [RESPValue]? {
        if case .array(let elements?) = self { return elements }
        return nil
    }
}
