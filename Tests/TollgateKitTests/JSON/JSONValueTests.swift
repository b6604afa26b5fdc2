import Testing
@testable import TollgateKit

@Suite("JSONValue.parse")
struct JSONValueParseTests {
    @Test("parses every kind of value")
    func kinds() throws {
        let value = try json(#"{"n":null,"t":true,"f":false,"i":-12,"d":1.50,"s":"x\ty","a":[1,"2",[3]],"o":{"k":{}}}"#)
        #expect(value["n"] == .null)
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["i"] == .number("-12"))
        #expect(value["d"] == .number("1.50"))
        #expect(value["s"] == .string("x\ty"))
        #expect(value["a"] == .array([.number("1"), .string("2"), .array([.number("3")])]))
        #expect(value["o"] == .object(JSONObject(["k": .object(JSONObject())])))
        #expect(value["missing"] == nil)
        #expect(JSONValue.string("x")["k"] == nil, "members of a non-object are nil")
    }

    @Test("member order is kept as in the source")
    func memberOrder() throws {
        let value = try json(#"{"z":1,"a":2,"m":3,"b":{"y":1,"c":2}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "b"])
        #expect(value["b"]?.objectValue?.keys == ["y", "c"])
        #expect(value.jsonText == #"{"z":1,"a":2,"m":3,"b":{"y":1,"c":2}}"#)
    }

    @Test("numbers keep their source text", arguments: [
        "1.0", "1e5", "1E+05", "-0", "0.10", "123456789012345678901234567890", "-1.5e-300", "1e400", "9007199254740993",
    ])
    func numbersKeepText(number: String) throws {
        let value = try json(#"{"n":\#(number)}"#)
        #expect(value["n"] == .number(number))
        #expect(value.jsonText == #"{"n":\#(number)}"#)
    }

    @Test("whitespace around and inside is accepted and not kept")
    func whitespace() throws {
        let value = try json(" \n{ \"a\" :\t[ 1 ,\r\n2 ] }\n ")
        #expect(value.jsonText == #"{"a":[1,2]}"#)
    }

    @Test("parse from text, bytes and a raw buffer agree")
    func overloads() throws {
        let source = #"{"k":["v",1]}"#
        let fromText = try JSONValue.parse(source)
        let fromBytes = try JSONValue.parse(bytes(source))
        let fromSlice = try JSONValue.parse(bytes("xx" + source)[2...])
        let fromBuffer = try bytes(source).withUnsafeBytes { try JSONValue.parse($0) }
        #expect(fromText == fromBytes)
        #expect(fromText == fromSlice)
        #expect(fromText == fromBuffer)
    }

    @Test("parse errors are thrown as JSONScanError")
    func errors() {
        #expect(throws: JSONScanError(.duplicateKey("a"), at: 7)) { try JSONValue.parse(#"{"a":1,"a":2}"#) }
        #expect(throws: JSONScanError(.empty, at: 0)) { try JSONValue.parse("") }
        #expect(throws: JSONScanError(.trailingData, at: 3)) { try JSONValue.parse("{} x") }
    }
}

@Suite("JSONObject and conveniences")
struct JSONObjectTests {
    @Test("subscript set appends, replaces in place, nil removes")
    func subscriptSemantics() {
        var object = JSONObject()
        object["b"] = 1
        object["a"] = 2
        object["c"] = 3
        #expect(object.keys == ["b", "a", "c"])
        object["a"] = "replaced"
        #expect(object.keys == ["b", "a", "c"], "replacing keeps the position")
        #expect(object["a"] == .string("replaced"))
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object.count == 2)
        object["missing"] = nil
        #expect(object.count == 2)
    }

    @Test("init from pairs keeps order; a later duplicate replaces the earlier value")
    func initFromPairs() {
        let object = JSONObject(["x": 1, "y": 2, "x": 3])
        #expect(object.keys == ["x", "y"])
        #expect(object["x"] == .number("3"))
    }

    @Test("literals build values")
    func literals() {
        let value: JSONValue = ["s": "t", "i": 42, "b": true, "n": nil, "a": [1, "x"]]
        #expect(value.jsonText == #"{"s":"t","i":42,"b":true,"n":null,"a":[1,"x"]}"#)
        let negative: JSONValue = -7
        #expect(negative == .number("-7"))
    }

    @Test("accessors return nil for other kinds")
    func accessors() {
        #expect(JSONValue.string("x").stringValue == "x")
        #expect(JSONValue.number("1").stringValue == nil)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.null.boolValue == nil)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.object(JSONObject()).arrayValue == nil)
        #expect(JSONValue.number("2.5").doubleValue == 2.5)
        #expect(JSONValue.string("2.5").doubleValue == nil)
        #expect(JSONValue.array([]).objectValue == nil)
    }

    @Test("typeName follows JSON Schema", arguments: [
        (JSONValue.null, "null"), (.bool(false), "boolean"), (.number("3"), "integer"), (.number("-0"), "integer"),
        (.number("1.0"), "integer"), (.number("2e3"), "integer"), (.number("1.5e1"), "integer"), (.number("1.5"), "number"),
        (.number("1e-3"), "number"), (.number("123456789012345678901234567890"), "integer"), (.string("1"), "string"),
        (.array([]), "array"), (.object(JSONObject()), "object"),
    ])
    func typeName(value: JSONValue, name: String) {
        #expect(value.typeName == name)
    }

    @Test("JSONNumber helpers")
    func numberHelpers() {
        #expect(JSONNumber.isInteger("10"))
        #expect(JSONNumber.isInteger("-0.0"))
        #expect(!JSONNumber.isInteger("0.5"))
        #expect(JSONNumber.doubleValue("1e400") == .infinity)
        #expect(JSONNumber.doubleValue("-1e400") == -.infinity)
        #expect(JSONNumber.doubleValue("0.25") == 0.25)
    }
}

@Suite("JSONWriter")
struct JSONWriterTests {
    private func written(_ string: String) -> String {
        var writer = JSONWriter()
        writer.write(string: string)
        return text(writer.bytes)
    }

    @Test("strings are escaped minimally")
    func minimalEscaping() {
        #expect(written("plain") == #""plain""#)
        #expect(written("q\"b\\") == #""q\"b\\""#)
        #expect(written("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(written("\u{0}\u{1}\u{1F}") == #""\u0000\u0001\u001f""#)
        #expect(written("\u{7F}") == "\"\u{7F}\"", "DEL stays raw")
        #expect(written("a/b") == #""a/b""#, "the solidus is not escaped")
        #expect(written("é😀\u{2028}\u{FFFF}") == "\"é😀\u{2028}\u{FFFF}\"", "non-ASCII stays raw UTF-8")
        #expect(written("") == #""""#)
    }

    @Test("every control character round-trips")
    func controlCharactersRoundTrip() throws {
        for scalar in 0..<0x20 {
            let string = "a\(Character(UnicodeScalar(UInt8(scalar))))b"
            let encoded = written(string)
            #expect(!encoded.utf8.contains { $0 < 0x20 }, "no raw control byte for \(scalar)")
            #expect(try json(encoded) == .string(string))
        }
    }

    @Test("escaped input is re-serialized minimally and parses back equal", arguments: [
        (#""\u00e9\/\u0041""#, "\"é/A\""),
        (#""\ud83d\ude00""#, "\"😀\""),
        (#""\u0007\u001F""#, #""\u0007\u001f""#),
        (#""tab\there""#, #""tab\there""#),
        (#""\"\\""#, #""\"\\""#),
        (#""\u2028\u2029""#, "\"\u{2028}\u{2029}\""),
        (#""\u0000""#, #""\u0000""#),
    ])
    func reserialized(source: String, expected: String) throws {
        let value = try json(source)
        #expect(value.jsonText == expected)
        #expect(try json(value.serialized) == value)
    }

    @Test("a document round-trips byte for byte when already compact and minimal")
    func byteForByte() throws {
        let documents = [
            #"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"n","arguments":{"b":2,"a":[1.50,-0,1e3,"é",null,true,false,{}]}}}"#,
            #"[[],{},"",0,{"":{"":[]}}]"#,
            #"{"z":"\u0001","y":"\"","x":"\\"}"#,
        ]
        for document in documents {
            #expect(try json(document).jsonText == document)
        }
    }

    @Test("random strings round-trip through the writer")
    func randomStrings() throws {
        var random = SplitMix64(seed: 7)
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{2028}", "\u{FEFF}", "{", "}", "[", "]", ":", ","]
        for _ in 0..<500 {
            let string = String((0..<Int.random(in: 0...30, using: &random)).map { _ in pool.randomElement(using: &random)! })
            let value: JSONValue = ["k": .string(string), string: .array([.string(string)])]
            let parsed = try json(value.serialized)
            #expect(parsed == value)
            #expect(parsed.serialized == value.serialized)
        }
    }

    @Test("raw bytes and appended text are written verbatim")
    func rawAndAppend() {
        var writer = JSONWriter(capacity: 0)
        writer.append("[")
        writer.write(raw: bytes(#""a\/b""#))
        writer.append(",")
        writer.write(.number("1E+2"))
        writer.append("]")
        #expect(text(writer.bytes) == #"["a\/b",1E+2]"#)
    }

    @Test("integers are written in decimal, from Int.min to Int.max")
    func integers() {
        for value in [0, 7, 9, 10, 42, -1, -10, 1_000_000, Int.max, Int.min, Int.max - 1, Int.min + 1] {
            var writer = JSONWriter()
            writer.write(integer: value)
            #expect(text(writer.bytes) == String(value))
        }
    }
}
