extension SchemaNode {
    /// Checks `value` against this node, its numbers (and the schema's) read by `reading`; `owner`
    /// is the keyword that holds the node (reported when the node is `false`); patterns spend
    /// `budget`. Pointers in the result are relative to `value`. An undecided violation (see
    /// ``SchemaViolation/isUndecided``) stays one through `not` and `anyOf`.
    func validate(_ value: JSONValue, keyword owner: String, reading: NumberReading, budget: inout MatchBudget) -> SchemaViolation? {
        if rejectsEverything { return SchemaViolation(pointer: "", keyword: owner, message: "is not allowed") }
        if let types, let violation = Self.checkType(value, types, reading: reading) { return violation }
        if let allowedValues, !allowedValues.contains(where: { $0.isSchemaEqual(to: value, reading: reading) }) {
            return violation("enum", "must be one of " + Self.listing(allowedValues.map(\.jsonText)))
        }
        if let constant, !constant.isSchemaEqual(to: value, reading: reading) {
            return violation("const", "must be \(Self.shortened(constant.jsonText))")
        }
        switch value {
        case .number(let text):
            if let number, let violation = number.check(text, reading: reading) { return violation }
        case .string(let text):
            if let string, let violation = string.check(text, budget: &budget) { return violation }
        case .array(let elements):
            if let array, let violation = array.check(elements, reading: reading, budget: &budget) { return violation }
        case .object(let members):
            if let object, let violation = object.check(members, reading: reading, budget: &budget) { return violation }
        case .null, .bool:
            break
        }
        if let string, string.requiresString, types == nil, value.stringValue == nil {
            let keyword = string.pathWithin != nil ? "pathWithin" : "hostIn"
            return violation(keyword, keyword == "pathWithin" ? "must be a path (a string)" : "must be a URL (a string)")
        }
        if !anyOf.isEmpty, let violation = checkAnyOf(value, reading: reading, budget: &budget) { return violation }
        if let negated = not {
            // A value that could not be checked against the schema under `not` is not known to fail it.
            guard let failure = negated.validate(value, keyword: "not", reading: reading, budget: &budget) else {
                return violation("not", "must not match the schema under \"not\"")
            }
            if failure.isUndecided { return failure }
        }
        return nil
    }

    private func violation(_ keyword: String, _ message: String) -> SchemaViolation {
        SchemaViolation(pointer: "", keyword: keyword, message: message)
    }

    private func checkAnyOf(_ value: JSONValue, reading: NumberReading, budget: inout MatchBudget) -> SchemaViolation? {
        var failures: [String] = []
        var undecided: SchemaViolation?
        for alternative in anyOf {
            guard let failure = alternative.validate(value, keyword: "anyOf", reading: reading, budget: &budget) else { return nil }
            if failure.isUndecided, undecided == nil { undecided = failure }
            failures.append(failure.pointer.isEmpty ? failure.message : "\(failure.pointer) \(failure.message)")
        }
        // No alternative passed, but one might have: that one's failure is the answer.
        if let undecided { return undecided }
        return violation("anyOf", "must match one of the alternatives: " + Self.shortened(failures.joined(separator: "; or ")))
    }

    private static func checkType(_ value: JSONValue, _ types: SchemaTypes, reading: NumberReading) -> SchemaViolation? {
        let matches = switch value {
        case .null: types.contains(.null)
        case .bool: types.contains(.boolean)
        case .string: types.contains(.string)
        case .array: types.contains(.array)
        case .object: types.contains(.object)
        case .number(let text): types.contains(.number) || (types.contains(.integer) && isInteger(text, reading: reading))
        }
        if matches { return nil }
        if case .number(let text) = value, reading != .exact, let read = reading.read(text) {
            return SchemaViolation(pointer: "", keyword: "type", message: "must be \(types.listing) (\(text) reads as \(read))")
        }
        return SchemaViolation(pointer: "", keyword: "type", message: "must be \(types.listing), not \(value.typeName)")
    }

    /// Whether a number's value is whole as `reading` reads it (a double must also be finite).
    @inline(__always)
    static func isInteger(_ text: String, reading: NumberReading) -> Bool {
        let read: ReadNumber? = reading == .exact ? .exact(text) : reading.read(text)
        switch read {
        case .exact?:
            if NumberReading.isIntegerLiteral(text) { return true }
            return ExactDecimal.withParts(of: text) { $0?.isInteger ?? false }
        case .double(let value)?:
            return value.isFinite && value == value.rounded(.towardZero)
        case nil:
            return false
        }
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
