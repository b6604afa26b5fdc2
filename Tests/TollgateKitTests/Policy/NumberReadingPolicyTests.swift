import Testing
@testable import TollgateKit

/// Numbers a server reads otherwise than Tollgate: JavaScript reads every number as the nearest
/// double, Python reads integer literals exactly and other numbers as doubles. A schema must hold
/// for every reading, or a value the gate passed becomes one the policy forbids in the server.
@Suite("Numbers as servers read them")
struct NumberReadingPolicyTests {
    @Test("bounds hold for the value as doubles and Python read it", arguments: [
        // Below the smallest double: read as 0 (or -0).
        ("exclusiveMinimum", "0", "1e-400", false), ("exclusiveMinimum", "0", "1e-300", true),
        ("exclusiveMaximum", "0", "-1e-400", false), ("maximum", "0", "-1e-400", true), ("minimum", "0", "1e-400", true),
        ("exclusiveMinimum", "0", "2.4703282292062327e-324", false), ("exclusiveMinimum", "0", "2.4703282292062328e-324", true),
        // Beyond the largest double: read as infinity.
        ("exclusiveMaximum", "1e400", "1e399", false), ("maximum", "10", "1e400", false), ("minimum", "10", "1e400", true),
        // Just inside an exclusive bound, rounded onto it.
        ("exclusiveMaximum", "1", "0.99999999999999999999", false), ("exclusiveMaximum", "1", "0.9999999999999999", true),
        ("exclusiveMinimum", "-1", "-0.99999999999999999999", false),
        ("exclusiveMaximum", "9007199254740994", "9007199254740993.5", false),
        ("exclusiveMaximum", "9007199254740994", "9007199254740993", true),
        // A bound no double holds: a double reader reads 9007199254740993 as 9007199254740992.
        ("exclusiveMaximum", "9007199254740993", "9007199254740992.5", false),
        // Python reads the integer bound exactly and 9007199254740995.0 as 9007199254740996.
        ("maximum", "9007199254740995", "9007199254740995.0", false), ("maximum", "9007199254740995", "9007199254740995", true),
        ("minimum", "9007199254740993", "9007199254740993.0", false), ("minimum", "9007199254740993", "9007199254740993", true),
        // Ordinary decimals keep working: the bound is read the same way as the value.
        ("maximum", "0.1", "0.1", true), ("minimum", "0.1", "0.1", true), ("maximum", "0.3", "0.3", true),
        ("exclusiveMaximum", "0.3", "0.29999999999999999", false), ("minimum", "2.5", "2.5e0", true),
    ])
    func bounds(keyword: String, bound: String, value: String, valid: Bool) throws {
        let violation = try compileSchema(#"{"\#(keyword)":\#(bound)}"#).check(value)
        #expect((violation == nil) == valid, "\(keyword) \(bound) vs \(value): \(String(describing: violation))")
        if let violation { #expect(violation.keyword == keyword) }
    }

    @Test("a violation only a double reader sees says how the value reads")
    func messages() throws {
        let violation = try compileSchema(#"{"properties":{"n":{"exclusiveMinimum":0}}}"#).check(#"{"n":1e-400}"#)
        #expect(violation == SchemaViolation(pointer: "/n", keyword: "exclusiveMinimum",
                                             message: "must be greater than 0 (1e-400 reads as 0.0) when numbers are read as doubles, as JavaScript does"))
        let python = try compileSchema(#"{"maximum":9007199254740995}"#).check("9007199254740995.0")
        #expect(python?.message == "must be at most 9007199254740995 (9007199254740995.0 reads as 9007199254740996.0) when numbers are "
            + "read as Python's json reads them: integers exactly, other numbers as doubles")
        let integer = try compileSchema(#"{"type":"integer"}"#).check("1e400")
        #expect(integer?.message == "must be integer (1e400 reads as inf) when numbers are read as doubles, as JavaScript does")
    }

    @Test("integer: whole under every reading, and finite for a double reader")
    func integers() throws {
        let integer = try compileSchema(#"{"type":"integer"}"#)
        for value in ["1e400", "-1e400", "1E+400", "1.0000000000000000001", "9007199254740992.5", "0.99999999999999999999"] {
            #expect(try integer.check(value)?.keyword == "type", "\(value)")
        }
        for value in ["9007199254740993", "123456789012345678901234567890", "1e300", "1.0", "-0", "2.50e1"] {
            #expect(try integer.accepts(value), "\(value)")
        }
        #expect(try compileSchema(#"{"type":["integer","string"]}"#).check("1e400")?.keyword == "type")
        #expect(try compileSchema(#"{"type":"number"}"#).accepts("1e400"), "infinity is still a number")
    }

    @Test("const and enum: a value a reader takes for a forbidden one is refused under not")
    func equality() throws {
        #expect(try compileSchema(#"{"not":{"const":0}}"#).check("1e-400")?.keyword == "not")
        #expect(try compileSchema(#"{"not":{"enum":[1,2]}}"#).check("1.0000000000000000001")?.keyword == "not")
        #expect(try compileSchema(#"{"not":{"enum":[9007199254740992]}}"#).check("9007199254740993")?.keyword == "not")
        #expect(try compileSchema(#"{"not":{"const":[0,"x"]}}"#).check(#"[-1e-400,"x"]"#)?.keyword == "not")
        #expect(try compileSchema(#"{"not":{"const":0}}"#).accepts("1e-300"))
        // Exact equality is still required: a reader's rounding never makes a value equal.
        #expect(try compileSchema(#"{"const":0}"#).check("1e-400")?.keyword == "const")
        #expect(try compileSchema(#"{"enum":[9007199254740992]}"#).check("9007199254740993")?.keyword == "enum")
        #expect(try compileSchema(#"{"enum":[0.1, 1]}"#).accepts("1e-1"))
    }

    @Test("nested numbers, anyOf and items are read the same way")
    func nested() throws {
        let schema = try compileSchema(#"{"type":"object","properties":{"xs":{"items":{"anyOf":[{"exclusiveMinimum":0},{"const":"none"}]}}}}"#)
        #expect(try schema.accepts(#"{"xs":[1,0.5,"none",1e-300]}"#))
        let violation = try schema.check(#"{"xs":[1,0.5,1e-400]}"#)
        #expect(violation?.pointer == "/xs/2")
        #expect(violation?.keyword == "anyOf")
    }
}

@Suite("Exact comparison of decimals and doubles")
struct ExactDoubleTests {
    @Test("a double's exact decimal text reads back as the same double and is exact")
    func exactTexts() {
        #expect(ExactDecimal.exactText(of: 0.1) == "1000000000000000055511151231257827021181583404541015625e-55")
        #expect(ExactDecimal.exactText(of: 0x1p53) == "9007199254740992")
        #expect(ExactDecimal.exactText(of: -0x1p53 - 4) == "-9007199254740996")
        #expect(ExactDecimal.exactText(of: 0x1p70) == "1180591620717411303424")
        #expect(ExactDecimal.exactText(of: 0.5) == "5e-1")
        #expect(ExactDecimal.exactText(of: -0.0) == "0")
        var generator = SystemRandomNumberGenerator()
        let samples: [Double] = [.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-300, 123.456]
            + (0..<200).map { _ in Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) }
        for value in samples {
            let text = ExactDecimal.exactText(of: value)
            #expect(Double(text) == value, "\(value) as \(text)")
            #expect(ExactDecimal.compare(text, toDouble: value) == 0, "\(value)")
        }
    }

    @Test("decimals compare exactly with doubles", arguments: [
        ("9007199254740993", 0x1p53, 1), ("9007199254740991", 0x1p53, -1), ("9007199254740992", 0x1p53, 0),
        ("9007199254740995", 0x1p53 + 4, -1), ("9007199254740992.5", 0x1p53, 1),
        ("1e-400", 0.0, 1), ("-1e-400", -0.0, -1), ("0", -0.0, 0), ("1e400", .infinity, -1), ("-1e400", -.infinity, 1),
        ("1e400", .greatestFiniteMagnitude, 1), ("0.1", 0.1, -1), ("0.3", 0.3, 1), ("2", 1.5, 1),
        ("0.1000000000000000055511151231257827021181583404541015625", 0.1, 0),
    ])
    func comparisons(text: String, value: Double, order: Int) {
        #expect(ExactDecimal.compare(text, toDouble: value) == order)
        #expect(ReadNumber.compare(.double(value), .exact(text)) == -order)
    }
}
