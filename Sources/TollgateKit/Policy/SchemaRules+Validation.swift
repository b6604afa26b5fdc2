extension NumberRules {
    /// Checks the bounds against a number's text (exactly; small integers on a fast path).
    func check(_ text: String) -> SchemaViolation? {
        if let small = smallBounds, let value = ExactDecimal.smallInteger(text) {
            if let bound = small.minimum, value < bound { return fail("minimum", "must be at least \(bound)") }
            if let bound = small.exclusiveMinimum, value <= bound { return fail("exclusiveMinimum", "must be greater than \(bound)") }
            if let bound = small.maximum, value > bound { return fail("maximum", "must be at most \(bound)") }
            if let bound = small.exclusiveMaximum, value >= bound { return fail("exclusiveMaximum", "must be less than \(bound)") }
            return nil
        }
        return ExactDecimal.withParts(of: text) { parts -> SchemaViolation? in
            guard let parts else { return fail("type", "must be a valid number") }
            if let bound = minimum, bound.compare(parts) < 0 { return fail("minimum", "must be at least \(bound.text)") }
            if let bound = exclusiveMinimum, bound.compare(parts) <= 0 {
                return fail("exclusiveMinimum", "must be greater than \(bound.text)")
            }
            if let bound = maximum, bound.compare(parts) > 0 { return fail("maximum", "must be at most \(bound.text)") }
            if let bound = exclusiveMaximum, bound.compare(parts) >= 0 {
                return fail("exclusiveMaximum", "must be less than \(bound.text)")
            }
            return nil
        }
    }

    /// Checks the bounds against a number as `reading` reads it, and the bounds as it reads them.
    func check(_ text: String, reading: NumberReading) -> SchemaViolation? {
        if reading == .exact { return check(text) }
        guard let value = reading.read(text) else { return fail("type", "must be a valid number") }
        func order(_ bound: ExactDecimal) -> Int { reading.read(bound.text).map { ReadNumber.compare(value, $0) } ?? 0 }
        func crossed(_ keyword: String, _ message: String) -> SchemaViolation { fail(keyword, message + " (\(text) reads as \(value))") }
        if let bound = minimum, order(bound) < 0 { return crossed("minimum", "must be at least \(bound.text)") }
        if let bound = exclusiveMinimum, order(bound) <= 0 { return crossed("exclusiveMinimum", "must be greater than \(bound.text)") }
        if let bound = maximum, order(bound) > 0 { return crossed("maximum", "must be at most \(bound.text)") }
        if let bound = exclusiveMaximum, order(bound) >= 0 { return crossed("exclusiveMaximum", "must be less than \(bound.text)") }
        return nil
    }

    private func fail(_ keyword: String, _ message: String) -> SchemaViolation {
        SchemaViolation(pointer: "", keyword: keyword, message: message)
    }
}

extension StringRules {
    /// Checks length, pattern, path and host rules against a string; the pattern's search spends `budget`.
    func check(_ text: String, budget: inout MatchBudget) -> SchemaViolation? {
        let bytes = text.utf8.count
        if let minLength {
            // A string has at most as many scalars as bytes: count scalars only when that can matter.
            if bytes < minLength || (bytes / 4 < minLength && Self.scalarCount(text) < minLength) {
                return fail("minLength", "must be at least \(minLength) \(minLength == 1 ? "character" : "characters") long")
            }
        }
        if let maxLength, bytes > maxLength, Self.scalarCount(text) > maxLength {
            return fail("maxLength", "must be at most \(maxLength) \(maxLength == 1 ? "character" : "characters") long")
        }
        if let pattern {
            do throws(MatchBudget.Exhausted) {
                if try !pattern.matches(text, budget: &budget) { return fail("pattern", "must match \(pattern.source)") }
            } catch {
                return SchemaViolation(
                    pointer: "", keyword: "pattern", isUndecided: true,
                    message: "could not be checked: the pattern \(SchemaNode.shortened(pattern.source)) is too expensive to check "
                        + "against this argument (more than \(error.steps) steps), so the call is denied")
            }
        }
        if let pathWithin, let message = pathWithin.check(text) { return fail("pathWithin", message) }
        if let hostIn, let message = hostIn.check(text) { return fail("hostIn", message) }
        return nil
    }

    /// The number of Unicode scalars (UTF-8 bytes that do not continue a sequence).
    private static func scalarCount(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }

    private func fail(_ keyword: String, _ message: String) -> SchemaViolation {
        SchemaViolation(pointer: "", keyword: keyword, message: message)
    }
}

extension ArrayRules {
    /// Checks the item count, then every element against `items` (numbers read by `reading`, patterns spending `budget`).
    func check(_ elements: [JSONValue], reading: NumberReading, budget: inout MatchBudget) -> SchemaViolation? {
        if let minItems, elements.count < minItems {
            return SchemaViolation(pointer: "", keyword: "minItems", message: "must have at least \(minItems) \(minItems == 1 ? "item" : "items")")
        }
        if let maxItems, elements.count > maxItems {
            return SchemaViolation(pointer: "", keyword: "maxItems", message: "must have at most \(maxItems) \(maxItems == 1 ? "item" : "items")")
        }
        if let schema = items, !schema.isTrivial {
            for (index, element) in elements.enumerated() {
                if let violation = schema.validate(element, keyword: "items", reading: reading, budget: &budget) {
                    return violation.inside(String(index))
                }
            }
        }
        return nil
    }
}

extension ObjectRules {
    /// Checks `required`, then every member against `properties` or `additionalProperties`, in
    /// one pass: a missing required member found after a member failed is still reported first.
    /// Numbers are read by `reading`; patterns spend `budget`.
    func check(_ object: JSONObject, reading: NumberReading, budget: inout MatchBudget) -> SchemaViolation? {
        var seen: UInt64 = 0
        for member in object.members {
            if let index = propertyIndex(of: member.key) {
                if index < 64 { seen |= 1 << UInt64(index) }
                let schema = propertySchemas[index]
                if !schema.isTrivial, let violation = schema.validate(member.value, keyword: "properties", reading: reading, budget: &budget) {
                    return missingRequired(object) ?? violation.inside(member.key)
                }
                continue
            }
            switch additional {
            case .allowed:
                continue
            case .forbidden:
                let allowed = propertyNames.isEmpty
                    ? "this object takes no properties"
                    : "allowed: " + SchemaNode.listing(propertyNames.map { Self.quoted($0.text) })
                let violation = SchemaViolation(pointer: "", keyword: "additionalProperties", message: "is not an allowed property (\(allowed))")
                return missingRequired(object) ?? violation.inside(member.key)
            case .schema(let schema):
                if let violation = schema.validate(member.value, keyword: "additionalProperties", reading: reading, budget: &budget) {
                    return missingRequired(object) ?? violation.inside(member.key)
                }
            }
        }
        if seen & requiredMask != requiredMask || requiresScan { return missingRequired(object) }
        return nil
    }

    /// The first required name (in schema order) that `object` lacks, as a violation.
    private func missingRequired(_ object: JSONObject) -> SchemaViolation? {
        for name in required where !object.members.contains(where: { name.matches($0.key) }) {
            return SchemaViolation(pointer: "", keyword: "required", message: "must have the property \(Self.quoted(name.text))")
        }
        return nil
    }

    private static func quoted(_ name: String) -> String { JSONValue.string(name).jsonText }
}
