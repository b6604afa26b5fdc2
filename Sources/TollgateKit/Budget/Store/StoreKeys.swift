/// The names of the store's keys: every key of a namespace starts with `{NAMESPACE}:`, a hash tag,
/// so Redis Cluster would keep them in one slot (a script may only touch keys of one slot).
///
/// - a budget: `{NS}:b:SCOPE:o` (overall), `{NS}:b:SCOPE:r:RULE` (a rule's),
///   `{NS}:b:SCOPE:t:RULE:TOOL` (one tool's under a `"per": "tool"` rule);
/// - a rate bucket: the same with `q` in place of `b`.
///
/// SCOPE is the spend scope's name (``SpendScope``); SCOPE, RULE and TOOL are written with `%`
/// and `:` escaped as `%25` and `%3A`, so a key reads back into its parts unambiguously.
public struct StoreKeys: Sendable, Hashable {
    /// What a key counts.
    public enum Kind: UInt8, Sendable {
        case budget = 0x62  // b
        case rate = 0x71    // q
    }

    /// The namespace (`budgets.namespace`).
    public let namespace: String
    /// `{NAMESPACE}:`.
    public let prefix: [UInt8]

    /// The namespace when the manifest sets none.
    public static let defaultNamespace = "tollgate"

    /// Keys under `namespace`.
    public init(namespace: String) {
        self.namespace = namespace
        prefix = Array("{\(namespace)}:".utf8)
    }

    /// Whether `name` may be a namespace: 1 to 64 ASCII letters, digits, `_`, `-` and `.`.
    public static func isValidNamespace(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes.count <= 64 && bytes.allSatisfy { byte in
            let lowered = byte | 0x20
            return (byte >= 0x30 && byte <= 0x39) || (lowered >= 0x61 && lowered <= 0x7A) || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }
    }

    /// The key of a budget or rate bucket of `budget` in `spendScope`.
    public func key(_ kind: Kind, _ budget: BudgetScope, spendScope: String) -> [UInt8] {
        var key = prefix
        key.append(kind.rawValue)
        key.append(UInt8(ascii: ":"))
        Self.escape(spendScope, into: &key)
        switch budget {
        case .overall:
            key.append(contentsOf: ":o".utf8)
        case .rule(let rule):
            key.append(contentsOf: ":r:".utf8)
            Self.escape(rule, into: &key)
        case .tool(let rule, let tool):
            key.append(contentsOf: ":t:".utf8)
            Self.escape(rule, into: &key)
            key.append(UInt8(ascii: ":"))
            Self.escape(tool, into: &key)
        }
        return key
    }

    /// The `SCAN` pattern of every key of `kind` (every scope).
    public func pattern(_ kind: Kind) -> [UInt8] {
        // SCAN patterns are globs: the braces and any glob character of the namespace are
        // escaped (a namespace holds none of * ? [ ] \, but braces are not globs anyway).
        prefix + [kind.rawValue, UInt8(ascii: ":"), UInt8(ascii: "*")]
    }

    /// The kind, spend scope and budget a key of this namespace names, or nil for another key.
    public func parse(_ key: [UInt8]) -> (kind: Kind, spendScope: String, budget: BudgetScope)? {
        guard key.starts(with: prefix), key.count > prefix.count + 2, let kind = Kind(rawValue: key[prefix.count]),
              key[prefix.count + 1] == UInt8(ascii: ":") else { return nil }
        let parts = key[(prefix.count + 2)...].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count >= 2, let scope = Self.unescape(parts[0]) else { return nil }
        switch (Array(parts[1]), parts.count) {
        case (Array("o".utf8), 2):
            return (kind, scope, .overall)
        case (Array("r".utf8), 3):
            guard let rule = Self.unescape(parts[2]) else { return nil }
            return (kind, scope, .rule(rule))
        case (Array("t".utf8), 4):
            guard let rule = Self.unescape(parts[2]), let tool = Self.unescape(parts[3]) else { return nil }
            return (kind, scope, .tool(rule: rule, tool: tool))
        default:
            return nil
        }
    }

    /// Appends `text` with `%` and `:` escaped.
    static func escape(_ text: String, into key: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "%"): key.append(contentsOf: "%25".utf8)
            case UInt8(ascii: ":"): key.append(contentsOf: "%3A".utf8)
            default: key.append(byte)
            }
        }
    }

    /// The text `escaped` stands for, or nil when it is not an escaped text (or not UTF-8).
    static func unescape(_ escaped: ArraySlice<UInt8>) -> String? {
        var bytes: [UInt8] = []
        var index = escaped.startIndex
        while index < escaped.endIndex {
            if escaped[index] == UInt8(ascii: "%") {
                let code = escaped[index...].prefix(3)
                if code.elementsEqual("%25".utf8) { bytes.append(UInt8(ascii: "%")) } else if code.elementsEqual("%3A".utf8) { bytes.append(UInt8(ascii: ":")) } else { return nil }
                index += 3
            } else {
                bytes.append(escaped[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
