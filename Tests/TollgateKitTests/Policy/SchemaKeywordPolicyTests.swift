import Testing
@testable import TollgateKit

@Suite("ArgumentSchema keywords")
struct SchemaKeywordPolicyTests {
    @Test("type: each name accepts its type and rejects others")
    func types() throws {
        let values = ["null", "true", "{}", "[]", "1.5", "3", "\"s\""]
        let expected: [String: Set<String>] = [
            "null": ["null"], "boolean": ["true"], "object": ["{}"], "array": ["[]"],
            "number": ["1.5", "3"], "integer": ["3"], "string": ["\"s\""],
        ]
        for (type, accepted) in expected {
            let schema = try compileSchema(#"{"type":"\#(type)"}"#)
            for value in values {
                #expect(try schema.accepts(value) == accepted.contains(value), "\(type) vs \(value)")
            }
        }
        let violation = try compileSchema(#"{"type":"string"}"#).check("3")
        #expect(violation == SchemaViolation(pointer: "", keyword: "type", message: "must be string, not integer"))
    }

    @Test("type arrays accept any listed type")
    func typeArrays() throws {
        let schema = try compileSchema(#"{"type":["string","null"]}"#)
        #expect(try schema.accepts(#""x""#))
        #expect(try schema.accepts("null"))
        #expect(try schema.check("1")?.message == "must be string or null, not integer")
        #expect(try compileSchema(#"{"type":["integer","boolean"]}"#).accepts("true"))
    }

    @Test("integer: whole values of any form and size; number includes integers")
    func integers() throws {
        let integer = try compileSchema(#"{"type":"integer"}"#)
        for value in ["1.0", "-0", "1e3", "2.50e1", "123456789012345678901234567890", "1E+300", "-7"] {
            #expect(try integer.accepts(value), "\(value)")
        }
        for value in ["1.5", "1e-1", "0.000001", "12345678901234567890.5"] {
            #expect(try integer.check(value)?.keyword == "type", "\(value)")
        }
        #expect(try compileSchema(#"{"type":"number"}"#).accepts("7"))
    }

    @Test("enum and const compare as JSON values")
    func enumAndConst() throws {
        let choice = try compileSchema(#"{"enum":["asc","desc",1,null,{"a":[1,2]}]}"#)
        for value in [#""asc""#, "1.0", "null", #"{"a":[1,2.0]}"#] { #expect(try choice.accepts(value), "\(value)") }
        for value in [#""ASC""#, "2", #"{"a":[2,1]}"#, "false"] { #expect(try !choice.accepts(value), "\(value)") }
        #expect(try choice.check(#""up""#)?.message.hasPrefix(#"must be one of "asc", "desc", 1"#) == true)
        let constant = try compileSchema(#"{"const":{"x":1,"y":"z"}}"#)
        #expect(try constant.accepts(#"{"y":"z","x":1e0}"#))
        #expect(try constant.check(#"{"x":1}"#) == SchemaViolation(pointer: "", keyword: "const", message: #"must be {"x":1,"y":"z"}"#))
        #expect(try !compileSchema(#"{"const":"caf\u00e9"}"#).accepts(#""cafe\u0301""#), "no Unicode normalization")
    }

    @Test("minimum, maximum and the exclusive bounds", arguments: [
        ("minimum", "3", "3", true), ("minimum", "3", "2.999", false), ("minimum", "3", "1e1", true),
        ("maximum", "3", "3", true), ("maximum", "3", "3.0001", false), ("maximum", "-1.5", "-2", true),
        ("exclusiveMinimum", "0", "0", false), ("exclusiveMinimum", "0", "0.0001", true), ("exclusiveMinimum", "0", "-0", false),
        ("exclusiveMaximum", "10", "10.0", false), ("exclusiveMaximum", "10", "9", true), ("exclusiveMaximum", "1e2", "99.99", true),
        ("maximum", "9007199254740992", "9007199254740993", false), ("maximum", "9007199254740993", "9007199254740993", true),
        ("minimum", "0.1", "0.1000000000000000055511151231257827", true), ("maximum", "0.1", "0.1000000000000000055511151231257827", false),
        ("maximum", "100", "123456789012345678901234567890", false), ("minimum", "-5", "-123456789012345678901234567890", false),
    ])
    func bounds(keyword: String, bound: String, value: String, valid: Bool) throws {
        let schema = try compileSchema(#"{"\#(keyword)":\#(bound)}"#)
        let violation = try schema.check(value)
        #expect((violation == nil) == valid, "\(keyword) \(bound) vs \(value): \(String(describing: violation))")
        if let violation { #expect(violation.keyword == keyword) }
        #expect(try schema.accepts(#""not a number""#), "bounds ignore other types")
    }

    @Test("bound messages")
    func boundMessages() throws {
        let schema = try compileSchema(#"{"minimum":1,"maximum":100,"exclusiveMaximum":50.5}"#)
        #expect(try schema.check("0")?.message == "must be at least 1")
        #expect(try schema.check("101")?.message == "must be at most 100")
        #expect(try schema.check("50.5")?.message == "must be less than 50.5")
        #expect(try schema.accepts("50"))
    }

    @Test("minLength and maxLength count Unicode scalars")
    func lengths() throws {
        let schema = try compileSchema(#"{"minLength":2,"maxLength":3}"#)
        #expect(try schema.check(#""a""#) == SchemaViolation(pointer: "", keyword: "minLength", message: "must be at least 2 characters long"))
        #expect(try schema.check(#""abcd""#)?.keyword == "maxLength")
        #expect(try schema.accepts(#""ab""#))
        #expect(try schema.accepts(#""éèê""#), "3 scalars, 6 bytes")
        #expect(try schema.accepts(#""😀😀😀""#), "3 scalars, 12 bytes")
        #expect(try schema.check(#""😀""#)?.keyword == "minLength")
        #expect(try schema.check(#""e\u0301e\u0301""#)?.keyword == "maxLength", "combining marks are scalars of their own")
        #expect(try schema.accepts("12345"), "length keywords ignore other types")
    }

    @Test("pattern is an unanchored search with ECMA-like semantics")
    func pattern() throws {
        let select = try compileSchema(#"{"pattern":"^SELECT\\s"}"#)
        #expect(try select.accepts(#""SELECT * FROM t""#))
        #expect(try select.check(#""DELETE FROM t""#) == SchemaViolation(pointer: "", keyword: "pattern", message: #"must match ^SELECT\s"#))
        #expect(try compileSchema(#"{"pattern":"b"}"#).accepts(#""abc""#), "unanchored")
        let anchored = try compileSchema(#"{"pattern":"^[a-z_]+$"}"#)
        #expect(try !anchored.accepts(#""users\n""#), "$ does not match before a final newline")
        #expect(try !compileSchema(#"{"pattern":"^\\d+$"}"#).accepts(#""\u0663""#), "\\d is ASCII only")
        #expect(try compileSchema(#"{"pattern":"^\\w+$"}"#).check(#""é""#)?.keyword == "pattern", "\\w is ASCII only")
        let literal = try compileSchema(#"{"pattern":"^main$"}"#)
        #expect(try literal.accepts(#""main""#))
        #expect(try !literal.accepts(#""main2""#))
        #expect(try compileSchema(#"{"pattern":"txt$"}"#).accepts(#""a.txt""#))
        #expect(try !compileSchema(#"{"pattern":"txt$"}"#).accepts(#""a.txt2""#))
        let dot = try compileSchema(#"{"pattern":"^a.b$"}"#)
        #expect(try dot.accepts(#""a-b""#))
        #expect(try dot.accepts(#""aéb""#), "one scalar")
        #expect(try !dot.accepts(#""a\nb""#), ". does not match a newline")
        #expect(try compileSchema(#"{"pattern":"\\bid\\b"}"#).accepts(#""the id field""#))
        #expect(try compileSchema(#"{"pattern":"^\\p{Lu}\\p{Ll}+$"}"#).accepts(#""Élan""#), "General_Category properties")
    }

    @Test("pattern: a catastrophic-backtracking pattern is answered at once")
    func patternWithoutBacktracking() throws {
        let schema = try compileSchema(#"{"pattern":"^(a+)+$"}"#)
        let attack = JSONValue.string(String(repeating: "a", count: 10_000) + "!")
        #expect(schema.validate(attack)?.keyword == "pattern")
        #expect(schema.validate(.string(String(repeating: "a", count: 10_000))) == nil)
    }

    @Test("items, minItems and maxItems; pointers name the element")
    func items() throws {
        let schema = try compileSchema(#"{"minItems":1,"maxItems":3,"items":{"type":"object","properties":{"name":{"type":"string"}}}}"#)
        #expect(try schema.check("[]") == SchemaViolation(pointer: "", keyword: "minItems", message: "must have at least 1 item"))
        #expect(try schema.check("[{},{},{},{}]")?.keyword == "maxItems")
        #expect(try schema.accepts(#"[{"name":"a"},{}]"#))
        #expect(try schema.check(#"[{"name":"a"},{},{"name":2}]"#) == SchemaViolation(pointer: "/2/name", keyword: "type", message: "must be string, not integer"))
        #expect(try compileSchema(#"{"items":false}"#).check("[1]") == SchemaViolation(pointer: "/0", keyword: "items", message: "is not allowed"))
    }

    @Test("nested properties report the full pointer, with ~ and / escaped")
    func nestedPointers() throws {
        let schema = try compileSchema(#"{"properties":{"items":{"items":{"properties":{"name":{"type":"string"}}}},"a/b~":{"type":"null"}}}"#)
        #expect(try schema.check(#"{"items":[{"name":"x"},{"name":"y"},{"name":3}]}"#)?.pointer == "/items/2/name")
        #expect(try schema.check(#"{"a/b~":1}"#)?.pointer == "/a~1b~0")
    }

    @Test("required reports the missing property at the object")
    func required() throws {
        let schema = try compileSchema(#"{"type":"object","required":["q","limit"],"properties":{"q":{"type":"string"}}}"#)
        #expect(try schema.check(#"{"q":"x"}"#) == SchemaViolation(pointer: "", keyword: "required", message: #"must have the property "limit""#))
        #expect(try schema.accepts(#"{"q":"x","limit":1}"#))
        #expect(try schema.check(#"{"q":1,"limit":1}"#)?.pointer == "/q")
        #expect(try schema.accepts("[]") == false)
    }

    @Test("additionalProperties false, true and a schema")
    func additionalProperties() throws {
        let closed = try compileSchema(#"{"properties":{"a":{},"b":{}},"additionalProperties":false}"#)
        #expect(try closed.accepts(#"{"a":1,"b":2}"#))
        #expect(try closed.check(#"{"a":1,"c":2}"#) == SchemaViolation(
            pointer: "/c", keyword: "additionalProperties", message: #"is not an allowed property (allowed: "a", "b")"#
        ))
        #expect(try compileSchema(#"{"additionalProperties":false}"#).check(#"{"x":1}"#)?.message.contains("takes no properties") == true)
        #expect(try compileSchema(#"{"additionalProperties":true}"#).accepts(#"{"x":1}"#))
        let typed = try compileSchema(#"{"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}"#)
        #expect(try typed.accepts(#"{"a":"s","n":1,"m":2}"#))
        #expect(try typed.check(#"{"a":"s","n":"x"}"#) == SchemaViolation(pointer: "/n", keyword: "type", message: "must be integer, not string"))
    }

    @Test("many properties use the index and still match exactly")
    func manyProperties() throws {
        let names = (0..<20).map { "p\($0)" }
        let properties = names.map { #""\#($0)":{"type":"integer"}"# }.joined(separator: ",")
        let schema = try compileSchema(#"{"properties":{\#(properties)},"additionalProperties":false}"#)
        #expect(try schema.accepts(#"{"p0":1,"p19":2}"#))
        #expect(try schema.check(#"{"p7":"x"}"#)?.pointer == "/p7")
        #expect(try schema.check(#"{"p20":1}"#)?.keyword == "additionalProperties")
    }

    @Test("anyOf passes when one alternative does; not inverts")
    func anyOfAndNot() throws {
        let either = try compileSchema(#"{"anyOf":[{"type":"string","maxLength":2},{"type":"integer","minimum":10}]}"#)
        #expect(try either.accepts(#""ab""#))
        #expect(try either.accepts("11"))
        let violation = try either.check("5")
        #expect(violation?.keyword == "anyOf")
        #expect(violation?.pointer == "")
        #expect(violation?.message == "must match one of the alternatives: must be string, not integer; or must be at least 10")
        let notDrop = try compileSchema(#"{"type":"string","not":{"pattern":"[Dd][Rr][Oo][Pp]"}}"#)
        #expect(try notDrop.accepts(#""select""#))
        #expect(try notDrop.check(#""x; DROP table""#) == SchemaViolation(pointer: "", keyword: "not", message: #"must not match the schema under "not""#))
    }

    @Test("true, false and {} as schemas")
    func booleanSchemas() throws {
        #expect(try compileSchema("true").accepts(#"{"anything":[1]}"#))
        #expect(try compileSchema("{}").acceptsEverything)
        #expect(try compileSchema(#"{"title":"x","description":"y"}"#).acceptsEverything)
        #expect(try compileSchema("false").check("{}")?.message == "is not allowed")
        #expect(try compileSchema(#"{"properties":{"x":false}}"#).check(#"{"x":1}"#) == SchemaViolation(
            pointer: "/x", keyword: "properties", message: "is not allowed"
        ))
        #expect(try compileSchema(#"{"not":true}"#).check("1")?.keyword == "not")
        #expect(try compileSchema(#"{"not":false}"#).accepts("1"))
    }

    @Test("a realistic five-property schema")
    func realistic() throws {
        let schema = try compileSchema(#"""
        {"type":"object","required":["query"],"additionalProperties":false,
         "properties":{"query":{"type":"string","pattern":"^SELECT ","maxLength":1000},
                       "limit":{"type":"integer","minimum":1,"maximum":500},
                       "format":{"enum":["json","csv"]},
                       "tags":{"type":"array","items":{"type":"string"},"maxItems":5},
                       "dryRun":{"type":"boolean"}}}
        """#)
        #expect(try schema.accepts(#"{"query":"SELECT 1","limit":10,"format":"csv","tags":["a"],"dryRun":false}"#))
        #expect(try schema.check(#"{"query":"SELECT 1","limit":501}"#)?.pointer == "/limit")
        #expect(try schema.check(#"{"query":"SELECT 1","tags":["a",2]}"#)?.pointer == "/tags/1")
        #expect(try schema.check(#"{"limit":1}"#)?.keyword == "required")
    }
}
