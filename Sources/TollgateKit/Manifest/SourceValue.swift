/// A JSON value read from a manifest, with where it was written, so every error can name its
/// line and column.
public struct SourceValue: Sendable {
    /// The kinds of value, with located children.
    public indirect enum Kind: Sendable {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array([SourceValue])
        case object([Member])
    }

    /// One `"key": value` pair of an object, with the key's own offset.
    public struct Member: Sendable {
        public var key: String
        public var keyOffset: Int
        public var value: SourceValue
    }

    /// The value.
    public var kind: Kind
    /// The byte offset of the value's first byte in the source.
    public var offset: Int

    /// The value without locations.
    public var json: JSONValue {
        switch kind {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let text): .number(text)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(\.json))
        case .object(let members):
            .object(JSONObject(uncheckedMembers: members.map { JSONObject.Member(key: $0.key, value: $0.value.json) }))
        }
    }

    /// The JSON Schema-style name of the value's type, for error messages.
    public var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The member `key`, if this is an object that has it.
    public subscript(key: String) -> SourceValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Follows a path of object keys and array indices ("3") from this value.
    public func descendant(_ path: some Sequence<String>) -> SourceValue? {
        var node = self
        for step in path {
            switch node.kind {
            case .object(let members):
                guard let next = members.first(where: { $0.key == step }) else { return nil }
                node = next.value
            case .array(let elements):
                guard let index = Int(step), elements.indices.contains(index) else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        return node
    }
}

extension JSONScanner {
    /// Scans one value and builds its located tree (duplicate keys rejected as everywhere).
    public mutating func parseSourceValue(depth: Int = 0) throws(JSONScanError) -> SourceValue {
        let first = try peekSignificant()
        let offset = position
        switch first {
        case UInt8(ascii: "{"):
            var members: [SourceValue.Member] = []
            var keyOffset = 0
            try scanObject(depth: depth) { (scanner: inout JSONScanner, key: StringToken) throws(JSONScanError) in
                keyOffset = key.content.lowerBound - 1
                let name = scanner.decodeString(key)
                members.append(SourceValue.Member(key: name, keyOffset: keyOffset, value: try scanner.parseSourceValue(depth: depth + 1)))
            }
            return SourceValue(kind: .object(members), offset: offset)
        case UInt8(ascii: "["):
            var elements: [SourceValue] = []
            try scanArray(depth: depth) { (scanner: inout JSONScanner) throws(JSONScanError) in
                elements.append(try scanner.parseSourceValue(depth: depth + 1))
            }
            return SourceValue(kind: .array(elements), offset: offset)
        default:
            return SourceValue(kind: try parseValue(depth: depth).sourceKind, offset: offset)
        }
    }
}

extension JSONValue {
    /// The located kind of a scalar (containers are never passed here).
    fileprivate var sourceKind: SourceValue.Kind {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let text): .number(text)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map { SourceValue(kind: $0.sourceKind, offset: 0) })
        case .object: .object([])
        }
    }
}
