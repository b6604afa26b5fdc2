/// A compiled subset of JSON Schema that checks a tool call's `arguments`: a manifest rule's
/// `"arguments"` schema (strict) or a server's `inputSchema` (lenient).
///
/// Compile once, validate many times: patterns are compiled, bounds parsed and directories resolved
/// when the schema is compiled; validation walks a tree of checks and reports the first violation.
///
/// ## Keywords
///
/// A schema is an object of keywords, or `true` (anything is valid) or `false` (nothing is);
/// `true`/`false` may stand wherever a schema may. Keywords that concern one JSON type ignore
/// values of other types, as in JSON Schema (`{"maxLength": 3}` accepts `12345`); use `type` to
/// require the type.
///
/// - `type`: a type name or a non-empty array of them: `null`, `boolean`, `object`, `array`,
///   `number`, `integer`, `string`. `number` includes integers. `integer` accepts any number whose
///   value is whole, whatever its spelling or size (`1.0`, `1e3` and a 40-digit integer are
///   integers; `1.5` is not), and that a double reader reads as a finite whole number (`1e400`
///   is not: it reads as infinity).
/// - `enum`: a non-empty array; the value must equal one of its elements. `const`: the value must
///   equal it. Equality is JSON's: numbers by mathematical value (`1` equals `1.0`), strings by
///   Unicode scalars without normalization, arrays element by element, objects by members in any
///   order.
/// - `minimum`, `maximum` (inclusive) and `exclusiveMinimum`, `exclusiveMaximum` (exclusive):
///   numbers, in the draft 6+ form (the bound itself; the draft-4 boolean form is an error).
///   Comparison is exact for any number (`9007199254740993` is above `9007199254740992`; `0.1` is
///   exactly one tenth).
/// - Every keyword must also hold for the numbers as a server reads them, as doubles or as
///   Python does (see ``NumberReading``): `1e-400` is not above `0` for a server that reads `0.0`.
/// - `minLength`, `maxLength`: non-negative integers (`3.0` is fine). The length of a string is its
///   number of Unicode scalars (code points, which is what JSON Schema calls characters): `"é"`
///   precomposed is 1, `"e"` followed by a combining accent is 2, `"😀"` is 1.
/// - `pattern`: a regular expression that must be found somewhere in the string; anchor it with
///   `^` and `$` to match the whole string. The syntax and meaning are ECMA-262's with the `u`
///   flag (see ``RegexParser`` for the subset), matched on Unicode scalars in linear time, without
///   backtracking (``RegexProgram``), within a ``MatchBudget`` per validation whose exhaustion is
///   a violation, never a non-match: `\d` and `\w` are ASCII-only; `$` matches only at the very
///   end (not before a final newline); `.` does not match a line terminator. Backreferences and
///   lookaround are refused, and so is a pattern compiling to more than
///   ``RegexProgram/instructionLimit`` instructions. The pattern is compiled once; an invalid or
///   refused pattern is a compile error.
/// - `items`: one schema every element must satisfy (the array form is not supported).
///   `minItems`, `maxItems`: non-negative integers.
/// - `properties`: an object of schemas, each applied to the member of that name when present.
///   `required`: an array of member names that must be present. `additionalProperties`: `false`
///   forbids members not named in `properties`; a schema checks them; `true` (the default) allows
///   them. Member names match exactly, by Unicode scalars.
/// - `anyOf`: a non-empty array of schemas; at least one must pass. `not`: a schema that must fail.
/// - `pathWithin` (Tollgate's own): a non-empty array of directories. The value must be a path
///   equal to or under one of them. A relative path (or directory) is taken relative to
///   ``SchemaContext/workingDirectory``. Empty and `.` components are dropped; each component that
///   exists is checked, and a symbolic link is replaced by its target (relative or absolute, at most
///   40 links, as the kernel does); `..` then goes to the parent of what has been resolved, so
///   `link/..` is the parent of the link's target and `/srv/data/../etc` is `/srv/etc`. Components
///   that do not exist are kept as written, so a new file in an allowed directory is allowed; a
///   dangling link is followed to where a write would land. The directories are resolved the same
///   way when the schema is compiled. Containment compares whole components: `/srv/data2` is not
///   within `/srv/data`. Empty paths, paths with NUL and paths over 4096 bytes are rejected.
///   Names compare byte for byte; a link changed after the check is not seen.
/// - `hostIn` (Tollgate's own): a non-empty array of host patterns. The value must be an `http` or
///   `https` URL (scheme in any case) whose host matches a pattern. The host is read as RFC 3986
///   says: the authority follows `scheme://` up to the first `/`, `?` or `#`; user information up
///   to the `@` is dropped; a port is dropped; an IPv6 address is written in brackets. The host is
///   lowercased and one trailing dot removed. So that no other URL parser can read a different
///   host, these are rejected: other schemes, anything but `//` after the scheme, more than one
///   `@`, a backslash, space or control character anywhere, an empty host or label, characters
///   other than `a-z 0-9 - _ .` in a host name (so `%`-escapes and non-ASCII names, which must be
///   given in punycode), and a port that is not a number up to 65535. A pattern
///   `api.example.com` matches that host exactly; `*.corp.example` matches every subdomain at any
///   depth but not `corp.example` itself, and never an IP address. Patterns are lowercased too, may
///   be IP addresses (IPv6 with or without brackets, compared as text), and say nothing about ports.
/// - Unlike the standard keywords, `pathWithin` and `hostIn` reject values that are not strings,
///   unless the schema's `type` admits that other type (`"type": ["string", "null"]` lets null pass).
/// - Annotations that never constrain (`title`, `description`, `default`, `examples`,
///   `$comment`, `$schema`, `$id`) are accepted and skipped in both modes.
///
/// ## Strict and lenient
///
/// Strict (manifests): any other keyword is an error (with a spelling suggestion when it is close
/// to a supported one), and so is a keyword value of the wrong form, such as `"minimum": "3"`,
/// `"required": "x"` or `"type": "strnig"`. ``SchemaCompileError/path`` names the bad node.
///
/// Lenient (servers' `inputSchema`): compiling never fails, because a server's schema must never
/// stop Tollgate. Whatever strict mode would reject is skipped instead, and its JSON pointer listed
/// in ``ignoredKeywords``: unsupported keywords (`$ref`, `format`, `oneOf`, `allOf`,
/// `patternProperties`, …), supported keywords with unusable values (the whole keyword is
/// skipped), subschemas that are not schemas (treated as `true`), and `pathWithin` and `hostIn`
/// (they belong to manifests). Skipping loosens a schema, except under `not`: a `not` whose
/// subschema lost anything is dropped whole, and listed instead of what was skipped inside it.
/// `readOnly`, `writeOnly` and `deprecated` are skipped silently, as annotations.
///
/// ## Violations
///
/// Checks run in this order, and the first failure is reported: `false`, `type`, `enum`, `const`;
/// then, by the value's type, the number bounds (`minimum`, `exclusiveMinimum`, `maximum`,
/// `exclusiveMaximum`), or `minLength`, `maxLength`, `pattern`, `pathWithin`, `hostIn`, or
/// `minItems`, `maxItems`, then `items` element by element, or `required` (in schema order), then
/// members in the value's order against `properties` or `additionalProperties`; finally `anyOf` and
/// `not`. A missing required member is reported at the object's pointer; a member refused by
/// `additionalProperties: false` at the member's pointer; a subschema `false` under the keyword
/// that holds it.
public struct ArgumentSchema: Sendable {
    /// How unsupported or malformed keywords are treated.
    public enum Strictness: Sendable, Equatable {
        /// A manifest's schema: unsupported keywords and malformed values are compile errors.
        case strict
        /// A server's `inputSchema`: they are skipped and listed in ``ArgumentSchema/ignoredKeywords``.
        case lenient
    }

    /// JSON pointers (into the schema) of what lenient compilation skipped, e.g. `/properties/x/format`.
    public private(set) var ignoredKeywords: [String]
    /// The compiled tree.
    let root: SchemaNode
    /// Which readings of numbers the schema's own numbers need (see ``validate(_:)``).
    let numbers: NumberScan

    /// Compiles `schema`; in strict mode the first problem throws, in lenient mode nothing does.
    public init(compiling schema: JSONValue, strictness: Strictness, context: SchemaContext) throws(SchemaCompileError) {
        var compiler = SchemaCompiler(strictness: strictness, context: context)
        self.init(root: try compiler.compile(schema, at: []), ignoredKeywords: compiler.ignored, schema: schema)
    }

    /// Compiles a manifest's schema strictly and returns it, or every problem in it (in schema
    /// order), not only the first.
    public static func compileStrictly(_ schema: JSONValue, context: SchemaContext) -> Result<ArgumentSchema, SchemaCompileErrors> {
        var compiler = SchemaCompiler(strictness: .strict, context: context)
        compiler.problems = []
        do throws(SchemaCompileError) {
            let root = try compiler.compile(schema, at: [])
            guard let problems = compiler.problems, !problems.isEmpty else {
                return .success(ArgumentSchema(root: root, ignoredKeywords: [], schema: schema))
            }
            return .failure(SchemaCompileErrors(errors: problems))
        } catch {
            return .failure(SchemaCompileErrors(errors: (compiler.problems ?? []) + [error]))
        }
    }

    private init(root: SchemaNode, ignoredKeywords: [String], schema: JSONValue) {
        self.root = root
        self.ignoredKeywords = ignoredKeywords
        var numbers = NumberScan()
        numbers.add(schema)
        self.numbers = numbers
    }

    /// Whether the schema constrains nothing (`{}`, `true`, or only skipped keywords), so a caller may skip validation.
    public var acceptsEverything: Bool { root.isTrivial }

    /// The keywords that constrain values, for documentation and messages.
    public static var supportedKeywords: [String] { SchemaCompiler.supportedKeywords }

    /// Checks `value`; nil when it is valid, else the first violation found.
    ///
    /// The value must be valid however a server reads its numbers (see ``NumberReading``): read
    /// exactly, then, when some number of the value or of the schema may read otherwise, as
    /// doubles and as Python reads them. A violation found only by another reading says so.
    ///
    /// The patterns' searches share one ``MatchBudget``: when it runs out the value is not valid,
    /// and the violation says it could not be checked (``SchemaViolation/isUndecided``).
    public func validate(_ value: JSONValue) -> SchemaViolation? {
        validate(value, budget: MatchBudget())
    }

    /// Checks `value`, its patterns' searches sharing `budget`.
    func validate(_ value: JSONValue, budget: MatchBudget) -> SchemaViolation? {
        var budget = budget
        if let violation = root.validate(value, keyword: "false", reading: .exact, budget: &budget) { return violation }
        var numbers = self.numbers
        numbers.add(value)
        for reading in numbers.otherReadings {
            if var violation = root.validate(value, keyword: "false", reading: reading, budget: &budget) {
                violation.message += " when numbers are \(reading.reader)"
                return violation
            }
        }
        return nil
    }
}
