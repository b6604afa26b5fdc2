extension SchemaNode {
    /// Checks `value` against this node; `owner` is the keyword that holds the node (reported when
    /// the node is `false`). Pointers in the result are relative to `value`.
    func validate(_ value: JSONValue, keyword owner: String) -> SchemaViolation? {
        if rejectsEverything { return SchemaViolation(pointer: "", keyword: owner, message: "is not allowed") }
        if let types, let violation = Self.checkType(value, types) { return violation }
        if let allowedValues, !allowedValues.contains(where: { $0.isSchemaEqual(to: value) }) {
            return violation("enum", "must be one of " + Self.listing(allowedValues.map(\.jsonText)))
        }
        if let constant, !constant.isSchemaEqual(to: value) {
            return violation("const", "must be \(Self.shortened(constant.jsonText))")
        }
        switch value {
        case .number(let text):
            if let number, let violation = number.check(text) { return violation }
        case .string(let text):
            if let string, let violation = string.check(text) { return violation }
        case .array(let elements):
            if let array, let violation = array.check(elements) { return violation }
        case .object(let members):
            if let object, let violation = object.check(members) { return violation }
        case .null, .bool:
            break
        }
        if let string, string.requiresString, types == nil, value.stringValue == nil {
            let keyword = string.pathWithin != nil ? "pathWithin" : "hostIn"
            return violation(keyword, keyword == "pathWithin" ? "must be a path (a string)" : "must be a URL (a string)")
        }
        if !anyOf.isEmpty, let violation = checkAnyOf(value) { return violation }
        if let negated = not, negated.validate(value, keyword: "not") == nil {
            return violation("not", "must not match the schema under \"not\"")
        }
        return nil
    }

    private func violation(_ keyword: String, _ message: String) -> SchemaViolation {
        SchemaViolation(pointer: "", keyword: keyword, message: message)
    }

    private func checkAnyOf(_ value: JSONValue) -> SchemaViolation? {
        var failures: [String] = []
        for alternative in anyOf {
            guard let failure = alternative.validate(value, keyword: "anyOf") else { return nil }
            failures.append(failure.pointer.isEmpty ? failure.message : "\(failure.pointer) \(failure.message)")
        }
        return violation("anyOf", "must match one of the alternatives: " + Self.shortened(failures.joined(separator: "; or ")))
    }

    private static func checkType(_ value: JSONValue, _ types: SchemaTypes) -> SchemaViolation? {
        let matches = switch value {
        case .null: types.contains(.null)
        case .bool: types.contains(.boolean)
        case .string: types.contains(.string)
        case .array: types.contains(.array)
        case .object: types.contains(.object)
        case .number(let text): types.contains(.number) || (types.contains(.integer) && isInteger(text))
        }
        if matches { return nil }
        return SchemaViolation(pointer: "", keyword: "type", message: "must be \(types.listing), not \(value.typeName)")
    }

    /// Whether a number's value is whole, exactly.
    @inline(__always)
    static func isInteger(_ text: String) -> Bool {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) { return true }
        return ExactDecimal.withParts(of: text) { $0?.isInteger ?? false }
    }

    /// Up to 10 items, comma-separated.
    static func listing(_ items: [String]) -> String {
        let shown = items.prefix(10).joined(separator: ", ")
        return shortened(items.count > 10 ? shown + ", …" : shown)
    }

    /// `text`, cut to about 300 characters.
    static func shortened(_ text: String) -> String {
        text.unicodeScalars.count <= 300 ? text : String(text.unicodeScalars.prefix(300)) + "…"
    }
}
