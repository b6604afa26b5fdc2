/// Turns a schema written as JSON into a ``SchemaNode`` tree, checking every keyword's value.
///
/// In strict mode the first problem throws. In lenient mode nothing throws: an unsupported keyword,
/// a supported keyword with an unusable value, or a subschema that is not a schema is skipped and
/// its pointer recorded in ``ignored``.
struct SchemaCompiler {
    /// The keywords that constrain values, in the order messages list them.
    static let supportedKeywords = [
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "pattern", "items", "minItems", "maxItems",
        "properties", "required", "additionalProperties", "anyOf", "not", "pathWithin", "hostIn",
    ]
    /// Keywords that never constrain: accepted and skipped in both modes.
    static let annotationKeywords: Set<ProtocolName> = ["title", "description", "default", "examples", "$comment", "$schema", "$id"]
    /// Further annotations skipped silently in lenient mode (strict mode treats them as unsupported).
    static let lenientAnnotationKeywords: Set<ProtocolName> = ["readOnly", "writeOnly", "deprecated"]
    /// Tollgate's own keywords, meaningful only in a manifest (a server's schema cannot use them).
    static let manifestOnlyKeywords: Set<ProtocolName> = ["pathWithin", "hostIn"]

    /// Other JSON Schema keywords: never offered as misspellings of supported ones (`allOf` is not a typo of `anyOf`).
    static let otherStandardKeywords: Set<ProtocolName> = [
        "$ref", "$defs", "definitions", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "allOf", "oneOf",
        "if", "then", "else", "format", "multipleOf", "patternProperties", "propertyNames", "dependentRequired",
        "dependentSchemas", "dependencies", "uniqueItems", "contains", "minContains", "maxContains", "prefixItems",
        "additionalItems", "unevaluatedItems", "unevaluatedProperties", "minProperties", "maxProperties",
        "contentMediaType", "contentEncoding", "contentSchema", "readOnly", "writeOnly", "deprecated",
    ]

    let strictness: ArgumentSchema.Strictness
    let context: SchemaContext
    /// Pointers of what lenient mode skipped, in schema order.
    var ignored: [String] = []
    /// In strict mode, every problem found when the compiler collects them all instead of
    /// throwing the first (nil: it throws).
    var problems: [SchemaCompileError]?

    init(strictness: ArgumentSchema.Strictness, context: SchemaContext) {
        self.strictness = strictness
        self.context = context
    }

    /// Compiles the schema at `path` (keys from the root).
    mutating func compile(_ schema: JSONValue, at path: [String]) throws(SchemaCompileError) -> SchemaNode {
        switch schema {
        case .bool(true):
            return .acceptsEverything
        case .bool(false):
            return .rejectsEverything
        case .object(let object):
            var node = SchemaNode.Draft()
            for member in object.members {
                let keywordPath = path + [member.key]
                do throws(SchemaCompileError) {
                    try compileKeyword(member.key, member.value, into: &node, at: keywordPath)
                } catch {
                    try skip(error, keyword: keywordPath)
                }
            }
            return SchemaNode(node)
        default:
            try skip(SchemaCompileError(path: path, message: "a schema must be an object or true/false, not \(schema.typeName)"), keyword: path)
            return .acceptsEverything
        }
    }

    /// Throws `error` in strict mode (or collects it in ``problems``); in lenient mode records
    /// `keyword` as ignored.
    mutating func skip(_ error: SchemaCompileError, keyword: [String]) throws(SchemaCompileError) {
        guard strictness == .lenient else {
            guard problems != nil else { throw error }
            problems?.append(error)
            return
        }
        ignored.append(JSONPointer.string(keyword))
    }

    /// The error for a keyword this compiler does not support.
    func unsupported(_ keyword: String, at path: [String]) -> SchemaCompileError {
        if strictness == .strict, !Self.otherStandardKeywords.contains(ProtocolName(keyword)), let suggestion = Self.suggestion(for: keyword) {
            return SchemaCompileError(path: path, message: "unsupported keyword \"\(keyword)\"; did you mean \"\(suggestion)\"?")
        }
        return SchemaCompileError(
            path: path,
            message: "unsupported keyword \"\(keyword)\"; supported: \(Self.supportedKeywords.joined(separator: ", ")) "
                + "(and the annotations \(Self.annotationKeywords.map(\.text).sorted().joined(separator: ", ")))"
        )
    }

    /// The supported keyword `keyword` is probably a misspelling of (at most two edits away, ignoring case).
    static func suggestion(for keyword: String) -> String? {
        let typed = Array(keyword.lowercased().utf8)  // not a protocol name
        var best: (String, Int)?
        for candidate in supportedKeywords {
            let distance = editDistance(typed, Array(candidate.lowercased().utf8))  // not a protocol name
            if distance <= 2, distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Levenshtein distance between two byte strings.
    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
