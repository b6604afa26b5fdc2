/// One compiled schema (the root or a subschema), with its keywords grouped by the JSON type they
/// apply to, so validation looks only at the groups that can matter for a value.
///
/// Nodes are immutable and shared by reference: passing one around costs a single retain, however
/// many keywords it holds. They are built from a ``Draft``.
final class SchemaNode: Sendable {
    /// A node under construction: the compiler sets one keyword at a time.
    struct Draft {
        var rejectsEverything = false
        var types: SchemaTypes?
        var allowedValues: [JSONValue]?
        var constant: JSONValue?
        var number: NumberRules?
        var string: StringRules?
        var array: ArrayRules?
        var object: ObjectRules?
        var anyOf: [SchemaNode] = []
        var not: SchemaNode?
    }

    /// `false` as a schema: nothing is valid.
    let rejectsEverything: Bool
    /// `type`, or nil for any type.
    let types: SchemaTypes?
    /// `enum`.
    let allowedValues: [JSONValue]?
    /// `const`.
    let constant: JSONValue?
    /// Keywords for numbers.
    let number: NumberRules?
    /// Keywords for strings.
    let string: StringRules?
    /// Keywords for arrays.
    let array: ArrayRules?
    /// Keywords for objects.
    let object: ObjectRules?
    /// `anyOf` alternatives (empty when absent).
    let anyOf: [SchemaNode]
    /// `not`.
    let not: SchemaNode?
    /// Whether the node constrains nothing (validation can be skipped).
    let isTrivial: Bool

    /// Freezes a draft.
    init(_ draft: Draft) {
        rejectsEverything = draft.rejectsEverything
        types = draft.types
        allowedValues = draft.allowedValues
        constant = draft.constant
        var number = draft.number
        number?.finish()
        self.number = number
        string = draft.string
        array = draft.array
        var object = draft.object
        object?.finish()
        self.object = object
        anyOf = draft.anyOf
        not = draft.not
        isTrivial = !draft.rejectsEverything && draft.types == nil && draft.allowedValues == nil && draft.constant == nil
            && draft.number == nil && draft.string == nil && draft.array == nil && draft.object == nil
            && draft.anyOf.isEmpty && draft.not == nil
    }

    /// The schema `true` / `{}`.
    static let acceptsEverything = SchemaNode(Draft())

    /// The schema `false`.
    static let rejectsEverything: SchemaNode = {
        var draft = Draft()
        draft.rejectsEverything = true
        return SchemaNode(draft)
    }()
}

/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.
struct NumberRules: Sendable {
    var minimum: ExactDecimal?
    var maximum: ExactDecimal?
    var exclusiveMinimum: ExactDecimal?
    var exclusiveMaximum: ExactDecimal?
    /// The same bounds as Int64 when every bound present is a small integer (the fast path), else nil.
    private(set) var smallBounds: (minimum: Int64?, exclusiveMinimum: Int64?, maximum: Int64?, exclusiveMaximum: Int64?)?

    /// Prepares the fast path once all bounds are set.
    mutating func finish() {
        let bounds = [minimum, exclusiveMinimum, maximum, exclusiveMaximum]
        guard bounds.allSatisfy({ $0 == nil || $0?.smallInteger != nil }) else { return }
        smallBounds = (minimum?.smallInteger, exclusiveMinimum?.smallInteger, maximum?.smallInteger, exclusiveMaximum?.smallInteger)
    }
}

/// `minLength`, `maxLength`, `pattern`, `pathWithin`, `hostIn`.
struct StringRules: Sendable {
    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?
    var pathWithin: PathWithin?
    var hostIn: HostIn?

    /// Whether a keyword here rejects values that are not strings (``PathWithin`` and ``HostIn`` do).
    var requiresString: Bool { pathWithin != nil || hostIn != nil }
}

/// `minItems`, `maxItems`, `items`.
struct ArrayRules: Sendable {
    var minItems: Int?
    var maxItems: Int?
    var items: SchemaNode?
}
