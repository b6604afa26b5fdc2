extension JSONValue {
    /// Equality as JSON Schema's `enum` and `const` define it: numbers by mathematical value
    /// (`1` equals `1.0`), strings by Unicode scalars (no normalization), arrays element by element
    /// in order, objects by the same keys with equal values in any order. Numbers are read by
    /// `reading` (so `1e-400` equals `0` when read as doubles).
    func isSchemaEqual(to other: JSONValue, reading: NumberReading) -> Bool {
        switch (self, other) {
        case (.null, .null):
            return true
        case (.bool(let lhs), .bool(let rhs)):
            return lhs == rhs
        case (.number(let lhs), .number(let rhs)):
            if reading == .exact { return ExactDecimal.equal(lhs, rhs) }
            guard let left = reading.read(lhs), let right = reading.read(rhs) else { return false }
            return ReadNumber.compare(left, right) == 0
        case (.string(let lhs), .string(let rhs)):
            return lhs.hasSameScalars(as: rhs)
        case (.array(let lhs), .array(let rhs)):
            return lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.isSchemaEqual(to: $1, reading: reading) }
        case (.object(let lhs), .object(let rhs)):
            guard lhs.count == rhs.count else { return false }
            return lhs.members.allSatisfy { member in
                rhs.members.contains { $0.key.hasSameScalars(as: member.key) && $0.value.isSchemaEqual(to: member.value, reading: reading) }
            }
        default:
            return false
        }
    }
}
