/// Which numbers a schema and a value hold, to tell which readings of numbers (see
/// ``NumberReading``) can judge them differently from the exact one.
struct NumberScan: Sendable {
    /// Some number may read otherwise than exactly (a fraction, an exponent, more than 15 digits).
    private(set) var readsInexactly = false
    /// Some integer literal has more than 15 digits (Python reads it exactly, a double reader does not).
    private(set) var hasLongIntegers = false

    /// Nothing scanned yet.
    init() {}

    /// The readings besides the exact one that can find something the exact one does not.
    var otherReadings: [NumberReading] {
        readsInexactly ? (hasLongIntegers ? [.double, .python] : [.double]) : []
    }

    /// Adds the numbers of `value`, at any depth (stops looking once both are known).
    mutating func add(_ value: JSONValue) {
        guard !hasLongIntegers else { return }
        switch value {
        case .number(let text) where !NumberReading.readsAlike(text):
            readsInexactly = true
            if NumberReading.isIntegerLiteral(text) { hasLongIntegers = true }
        case .array(let elements):
            for element in elements { add(element) }
        case .object(let object):
            for member in object.members { add(member.value) }
        case .number, .null, .bool, .string:
            break
        }
    }
}
