/// The JSON types a schema's `type` keyword allows. `number` includes integers; `integer` alone
/// accepts numbers whose value is whole (`1.0` counts, as in JSON Schema).
struct SchemaTypes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let object = SchemaTypes(rawValue: 1 << 2)
    static let array = SchemaTypes(rawValue: 1 << 3)
    static let number = SchemaTypes(rawValue: 1 << 4)
    static let integer = SchemaTypes(rawValue: 1 << 5)
    static let string = SchemaTypes(rawValue: 1 << 6)

    /// The type names in the order messages list them.
    static let names: [(String, SchemaTypes)] = [
        ("string", .string), ("integer", .integer), ("number", .number), ("boolean", .boolean),
        ("object", .object), ("array", .array), ("null", .null),
    ]

    /// The type called `name`, or nil.
    init?(name: String) {
        guard let entry = Self.names.first(where: { $0.0.hasSameScalars(as: name) }) else { return nil }
        self = entry.1
    }

    /// "string", "string or null", "string, integer or null".
    var listing: String {
        let included = Self.names.filter { contains($0.1) && !($0.1 == .integer && contains(.number)) }.map(\.0)
        guard included.count > 1 else { return included.first ?? "nothing" }
        return included.dropLast().joined(separator: ", ") + " or " + included.last!
    }
}
