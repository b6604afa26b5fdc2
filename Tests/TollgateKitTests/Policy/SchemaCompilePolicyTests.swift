import Testing
@testable import TollgateKit

@Suite("ArgumentSchema compilation")
struct SchemaCompilePolicyTests {
    @Test("wrong keyword values are errors that carry the path", arguments: [
        (#"{"minimum":"3"}"#, ["minimum"], "must be a number"),
        (#"{"required":"x"}"#, ["required"], "must be an array of strings"),
        (#"{"required":["a",1]}"#, ["required", "1"], "must list strings"),
        (#"{"type":"strnig"}"#, ["type"], "unknown type \"strnig\""),
        (#"{"type":["string",3]}"#, ["type", "1"], "is not a type"),
        (#"{"type":[]}"#, ["type"], "non-empty array"),
        (#"{"properties":{"q":{"pattern":"("}}}"#, ["properties", "q", "pattern"], "invalid regular expression"),
        (#"{"properties":{"q":{"pattern":"(?<=a)b"}}}"#, ["properties", "q", "pattern"], "lookbehind"),
        (#"{"properties":{"q":{"pattern":"(a)\\1"}}}"#, ["properties", "q", "pattern"], "backreference"),
        (#"{"pattern":"^(?=.*x)"}"#, ["pattern"], "lookahead (?=…) is not supported: it cannot be matched in linear time"),
        (#"{"pattern":"(?i)drop"}"#, ["pattern"], "inline flags"),
        (#"{"pattern":"(a{1000}){1000}"}"#, ["pattern"], "more than 10000 instructions"),
        (#"{"properties":{"q":{"maxLength":-1}}}"#, ["properties", "q", "maxLength"], "non-negative integer"),
        (#"{"minItems":1.5}"#, ["minItems"], "non-negative integer"),
        (#"{"properties":[]}"#, ["properties"], "must be an object of schemas"),
        (#"{"properties":{"a":3}}"#, ["properties", "a"], "must be an object or true/false"),
        (#"{"items":[{}]}"#, ["items"], "tuple"),
        (#"{"anyOf":[]}"#, ["anyOf"], "non-empty array"),
        (#"{"anyOf":[{},{"type":1}]}"#, ["anyOf", "1", "type"], "type name"),
        (#"{"not":{"format":"email"}}"#, ["not", "format"], "unsupported keyword \"format\""),
        (#"{"exclusiveMinimum":true}"#, ["exclusiveMinimum"], "draft-4"),
        (#"{"enum":[]}"#, ["enum"], "non-empty array"),
        (#"{"pathWithin":[]}"#, ["pathWithin"], "non-empty array of strings"),
        (#"{"pathWithin":["/a",2]}"#, ["pathWithin", "1"], "must list strings"),
        (#"{"hostIn":["https://x.com"]}"#, ["hostIn", "0"], "is not a host pattern"),
        (#"{"hostIn":["a.*.com"]}"#, ["hostIn", "0"], "is not a host pattern"),
        (#"{"additionalProperties":"no"}"#, ["additionalProperties"], "must be an object or true/false"),
        ("3", [], "must be an object or true/false"),
    ])
    func errors(schema: String, path: [String], fragment: String) throws {
        let error = try compileError(schema)
        #expect(error?.path == path, "\(String(describing: error))")
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test("unsupported keywords are errors in strict mode, with a suggestion for typos")
    func unsupported() throws {
        let typo = try compileError(#"{"properties":{"q":{"maxLenght":3}}}"#)
        #expect(typo == SchemaCompileError(path: ["properties", "q", "maxLenght"], message: #"unsupported keyword "maxLenght"; did you mean "maxLength"?"#))
        #expect(typo?.description == #"/properties/q/maxLenght: unsupported keyword "maxLenght"; did you mean "maxLength"?"#)
        for keyword in ["$ref", "oneOf", "allOf", "patternProperties", "dependentRequired", "format", "multipleOf", "readOnly"] {
            let error = try compileError(#"{"\#(keyword)":{}}"#)
            #expect(error?.path == [keyword])
            #expect(error?.message.hasPrefix("unsupported keyword") == true)
        }
    }

    @Test("annotations are accepted in both modes")
    func annotations() throws {
        let schema = #"{"$schema":"x","$id":"y","$comment":"z","title":"t","description":"d","default":1,"examples":[1],"type":"integer"}"#
        #expect(try compileError(schema) == nil)
        #expect(try compileSchema(schema, .lenient).ignoredKeywords == [])
    }

    @Test("lenient mode skips and reports unsupported keywords and bad values")
    func lenient() throws {
        let schema = try compileSchema(#"""
        {"type":"object","$defs":{"x":{}},"required":["path"],
         "properties":{"path":{"type":"string","format":"uri","minLength":"3"},
                       "mode":{"oneOf":[{"const":"a"}],"enum":["r","w"]},
                       "bad":7,
                       "dir":{"pathWithin":["/srv"]},
                       "n":{"type":"strnig","minimum":2,"readOnly":true},
                       "q":{"type":"string","pattern":"^(?!DROP)","maxLength":5}},
         "patternProperties":{"^x":{}},"dependentRequired":{"a":["b"]}}
        """#, .lenient)
        #expect(schema.ignoredKeywords == [
            "/$defs", "/properties/path/format", "/properties/path/minLength", "/properties/mode/oneOf",
            "/properties/bad", "/properties/dir/pathWithin", "/properties/n/type", "/properties/q/pattern",
            "/patternProperties", "/dependentRequired",
        ])
        #expect(try schema.accepts(#"{"path":"ab","mode":"r","bad":1,"dir":"/etc","n":"x","q":"DROP"}"#), "skipped keywords do not constrain")
        #expect(try schema.check(#"{"path":"ab","q":"DROP TABLE"}"#)?.keyword == "maxLength", "the lookahead's siblings still apply")
        #expect(try schema.check(#"{"path":"ab","mode":"x"}"#)?.keyword == "enum", "kept keywords still do")
        #expect(try schema.check(#"{"path":"ab","n":1}"#)?.keyword == "minimum")
        #expect(try schema.check(#"{}"#)?.keyword == "required")
    }

    @Test("lenient mode drops a not whose subschema lost keywords")
    func lenientNot() throws {
        let schema = try compileSchema(##"{"properties":{"e":{"not":{"format":"email","anyOf":[{"$ref":"#/x"}]}}}}"##, .lenient)
        #expect(schema.ignoredKeywords == ["/properties/e/not"])
        #expect(try schema.accepts(#"{"e":"a@b.c"}"#), "otherwise not {} would reject everything")
        let kept = try compileSchema(#"{"not":{"const":1}}"#, .lenient)
        #expect(kept.ignoredKeywords == [])
        #expect(try !kept.accepts("1"))
    }

    @Test("lenient mode never throws, whatever the schema")
    func lenientNeverThrows() throws {
        for schema in ["3", "null", #""x""#, "[]", #"{"type":7,"properties":5,"items":[1],"anyOf":{},"pattern":"(","maximum":true}"#] {
            let compiled = try compileSchema(schema, .lenient)
            #expect(try compiled.accepts("{}"), "\(schema)")
            #expect(!compiled.ignoredKeywords.isEmpty, "\(schema)")
        }
        #expect(try compileSchema("3", .lenient).ignoredKeywords == [""])
    }

    @Test("counts accept integral numbers and clamp huge ones")
    func counts() throws {
        #expect(try compileSchema(#"{"maxLength":3.0}"#).check(#""abcd""#)?.keyword == "maxLength")
        #expect(try compileSchema(#"{"maxLength":1e40}"#).accepts(#""abcd""#))
        #expect(try compileSchema(#"{"minItems":0}"#).accepts("[]"))
    }

    @Test("compilation and validation survive random schemas in both modes")
    func randomSchemas() throws {
        var random = SplitMix64(seed: 0x5EED)
        let keywords = SchemaCompiler.supportedKeywords + ["format", "$ref", "oneOf", "title", "minProperties"]
        func value(_ depth: Int, _ random: inout SplitMix64) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .number(["0", "-1", "2.5", "1e400", "3.0", "99999999999999999999"].randomElement(using: &random)!)
            case 3: return .string(["", "x", "string", "^a+$", "(", "/tmp", "*.x.com", "integer"].randomElement(using: &random)!)
            case 4: return .array((0..<Int.random(in: 0..<3, using: &random)).map { _ in value(depth + 1, &random) })
            default:
                var object = JSONObject()
                for _ in 0..<Int.random(in: 0..<4, using: &random) {
                    object[keywords.randomElement(using: &random)!] = value(depth + 1, &random)
                }
                return .object(object)
            }
        }
        for _ in 0..<2000 {
            let schema = try ArgumentSchema(compiling: value(0, &random), strictness: .lenient, context: testContext)
            for _ in 0..<3 { _ = schema.validate(value(0, &random)) }
            if let strict = try? ArgumentSchema(compiling: value(0, &random), strictness: .strict, context: testContext) {
                for _ in 0..<3 { _ = strict.validate(value(0, &random)) }
            }
        }
    }
}
