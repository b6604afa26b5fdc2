/// A tool definition's digest, recorded as a rule's `"pin"` so a server cannot change a tool
/// silently after it was reviewed (a "rug pull").
///
/// **Canonical form.** The pinned part of a definition is the object of its members `name`,
/// `description`, `inputSchema` and `annotations` (each only when the server sent it; every other
/// member, such as `title`, `outputSchema`, `icons` or `_meta`, is left out). It is serialized by
/// ``AuditRecord/canonicalBytes(_:)`` (the audit trail's canonical JSON: members sorted by the
/// UTF-8 bytes of their keys at every depth, no whitespace, numbers as their source text), and
/// the pin is `sha256:` followed by the lowercase hex SHA-256 of those bytes. Key order and
/// whitespace in the server's JSON therefore do not change a pin; any change of a value does.
public struct ToolPin: Sendable, Equatable, CustomStringConvertible {
    /// The parts of a definition a pin covers, in the order they are named.
    public static let parts = ["name", "description", "inputSchema", "annotations"]
    /// The prefix of a pin's text.
    public static let prefix = "sha256:"

    /// The lowercase hex digest.
    public let hex: String

    /// A pin from its text (`sha256:` and 64 lowercase hex digits); nil when it is not one.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }  // not a protocol name
        let hex = text.dropFirst(Self.prefix.count)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        self.hex = String(hex)
    }

    /// The pin of a tool definition (a `tools/list` entry).
    public init(of tool: JSONObject) {
        self.init(canonical: AuditRecord.canonicalBytes(.object(Self.pinned(tool))))
    }

    /// The pin of a definition's pinned part in canonical form.
    init(canonical: [UInt8]) {
        hex = Hex.encode(SHA256.hash(canonical))
    }

    /// The pin's text: `sha256:<hex>`.
    public var description: String { Self.prefix + hex }

    /// The members of a definition a pin covers.
    public static func pinned(_ tool: JSONObject) -> JSONObject {
        var object = JSONObject()
        for part in parts { if let value = tool[part] { object[part] = value } }
        return object
    }

    /// The parts in which two definitions differ (`description`, `inputSchema`, `annotations`,
    /// `name`), compared in canonical form.
    public static func changedParts(from old: JSONObject, to new: JSONObject) -> [String] {
        parts.filter { part in
            old[part].map { AuditRecord.canonicalBytes($0) } != new[part].map { AuditRecord.canonicalBytes($0) }
        }
    }
}
