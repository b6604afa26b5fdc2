import Testing
@testable import TollgateKit

@Suite("JSONScanner: grammar")
struct JSONScannerGrammarTests {
    @Test("accepts well-formed documents", arguments: [
        "{}", "[]", "0", "-0", "1", "\"\"", "true", "false", "null",
        #"{"a":1}"#, #"{"a":[1,2,{"b":null}],"c":"d"}"#, #"[[],{},[[]],"x",1.5e-3]"#,
        " \t\r\n{ \"a\" : [ 1 , 2 ] }\n\r\t ", #"{"":""}"#, #"["\u0000"]"#,
    ])
    func acceptsWellFormed(document: String) {
        #expect(scanError(document) == nil)
        #expect(parseError(bytes(document)) == nil)
    }

    @Test("rejects broken structure", arguments: [
        #"{"a" 1}"#, #"{"a":1,}"#, "[1,]", "[1 2]", "{1:2}", #"{"a":1 "b":2}"#, "[,1]", "{,}",
        #"{"a"}"#, #"{"a":}"#, "[", "]", "}", #"{"a":1]"#, "[1}", "{'a':1}", #"{a:1}"#, ":", ",",
        "[1,,2]", #"{"a":1,,"b":2}"#, "[-]", "nul", "tru", "True", "NULL", "undefined", "NaN",
        "Infinity", "-Infinity", "\u{FEFF}{}", "{}//c", "/*c*/{}", #"{"a"/*c*/:1}"#, #"[1,/*c*/]"#, "{}\u{0}",
    ])
    func rejectsBrokenStructure(document: String) {
        #expect(scanError(document) != nil)
        #expect(parseError(bytes(document)) != nil)
    }

    @Test("empty and whitespace-only input is .empty")
    func emptyInput() {
        #expect(scanError("")?.reason == .empty)
        #expect(scanError(" \t\r\n ")?.reason == .empty)
        #expect(parseError([])?.reason == .empty)
        #expect(parseError(bytes("   "))?.reason == .empty)
    }

    @Test("data after the value is trailing data, with its offset", arguments: [
        ("{} {}", 3), ("1 2", 2), ("{}x", 2), ("[] ]", 3), ("nullnull", 4), ("\"a\"\"b\"", 3), ("{}\n{}", 3),
    ])
    func trailingData(document: String, offset: Int) {
        let error = scanError(document)
        #expect(error == JSONScanError(.trailingData, at: offset))
        #expect(parseError(bytes(document))?.reason == .trailingData)
    }

    @Test("an unexpected byte is reported at its offset")
    func unexpectedByteOffset() {
        #expect(scanError(#"{"a":1;"#) == JSONScanError(.unexpectedByte(UInt8(ascii: ";")), at: 6))
        #expect(scanError("[1 2]") == JSONScanError(.unexpectedByte(UInt8(ascii: "2")), at: 3))
        #expect(scanError("{1:2}") == JSONScanError(.unexpectedByte(UInt8(ascii: "1")), at: 1))
        #expect(scanError("nulx") == JSONScanError(.unexpectedByte(UInt8(ascii: "x")), at: 3))
    }

    @Test("bytes above 0x7F outside strings are rejected")
    func highBytesOutsideStrings() {
        #expect(scanError([0xC3, 0xA9]) != nil)
        #expect(scanError(bytes("[1,") + [0xC3, 0xA9] + bytes("]")) != nil)
        #expect(scanError(bytes("{") + [0xC2, 0xA0] + bytes("\"a\":1}")) != nil, "NBSP is not JSON whitespace")
    }

    @Test("literals", arguments: [("true", true), ("false", true), ("null", true), ("nul", false), ("t", false), ("fals", false), ("nulll", false), ("truE", false)])
    func literals(document: String, valid: Bool) {
        #expect((scanError(document) == nil) == valid)
    }
}

@Suite("JSONScanner: numbers")
struct JSONScannerNumberTests {
    @Test("valid numbers keep their exact source text", arguments: [
        "0", "-0", "1", "-1", "10", "1.5", "0.5", "-0.0", "1e5", "1E5", "1e+5", "1e-5", "1.5e10", "-1.25E-7",
        "123456789012345678901234567890", "-123456789012345678901234567890", "0.000000000000000000001",
        "1e400", "9007199254740993", "1.0", "0e0", "0E-0",
    ])
    func validNumbers(number: String) throws {
        #expect(scanError(number) == nil)
        #expect(scanError("[\(number)]") == nil)
        #expect(scanError(#"{"n":\#(number)}"#) == nil)
        let value = try json(number)
        #expect(value == .number(number))
        #expect(value.serialized == bytes(number))
    }

    @Test("invalid numbers are rejected alone, in arrays and in objects", arguments: [
        "01", "-01", "00", "1.", ".5", "1e", "1e+", "1E-", "-", "+1", "--1", "0x10", "1.e5", "1.5.5", "- 1",
        "1e5.5", "-.5", "0.", "1ee5", "1e5e5", "٣", "１",
    ])
    func invalidNumbers(number: String) {
        #expect(scanError(number) != nil)
        #expect(scanError("[\(number)]") != nil)
        #expect(scanError(#"{"n":\#(number)}"#) != nil)
        #expect(parseError(bytes(number)) != nil)
    }

    @Test("number faults name the right reason")
    func numberReasons() {
        #expect(scanError("[1.]")?.reason == .invalidNumber)
        #expect(scanError("[1e]")?.reason == .invalidNumber)
        #expect(scanError("[-]")?.reason == .invalidNumber)
        #expect(scanError("[-a]")?.reason == .invalidNumber)
        #expect(scanError("1.")?.reason == .unexpectedEnd)
        #expect(scanError("1e")?.reason == .unexpectedEnd)
        #expect(scanError("-")?.reason == .unexpectedEnd)
        #expect(scanError("01")?.reason == .trailingData)
        #expect(scanError("[01]")?.reason == .unexpectedByte(UInt8(ascii: "1")))
        #expect(scanError("+1")?.reason == .unexpectedByte(UInt8(ascii: "+")))
        #expect(scanError(".5")?.reason == .unexpectedByte(UInt8(ascii: ".")))
    }
}

@Suite("JSONScanner: strings")
struct JSONScannerStringTests {
    /// Decodes the string document `literal` (quotes included) with the scanner.
    private func decoded(_ literal: [UInt8]) -> String? {
        literal.withUnsafeBytes { buffer -> String? in
            var scanner = JSONScanner(buffer)
            do throws(JSONScanError) {
                let token = try scanner.scanString()
                guard scanner.position == buffer.count else { return nil }
                return scanner.decodeString(token)
            } catch {
                return nil
            }
        }
    }

    @Test("every escape decodes")
    func escapesDecode() {
        #expect(decoded(bytes(#""\"\\\/\b\f\n\r\t""#)) == "\"\\/\u{08}\u{0C}\n\r\t")
        #expect(decoded(bytes(#""\u0041\u00e9\u00E9\u20AC""#)) == "Aéé€")
        #expect(decoded(bytes(#""\ud83d\ude00""#)) == "😀")
        #expect(decoded(bytes(#""\uD83D\uDE00x""#)) == "😀x")
        #expect(decoded(bytes(#""\udbff\udfff""#)) == "\u{10FFFF}")
        #expect(decoded(bytes(#""\ud800\udc00""#)) == "\u{10000}")
        #expect(decoded(bytes(#""\u0000""#)) == "\u{0}")
        #expect(decoded(bytes(#""\uffff""#)) == "\u{FFFF}")
        #expect(decoded(bytes("\"héllo 😀 \u{2028}\"")) == "héllo 😀 \u{2028}")
        #expect(decoded(bytes(#""plain ascii text that is longer than eight bytes""#)) == "plain ascii text that is longer than eight bytes")
    }

    @Test("token(_:equals:) compares decoded text")
    func tokenEquals() {
        for (literal, expected) in [(#""tools/call""#, true), (#""tools\/call""#, true), (#""tools\u002fcall""#, true),
                                    (#""tools/cal""#, false), (#""tools/calls""#, false), (#""Tools/call""#, false)] {
            let result = bytes(literal).withUnsafeBytes { buffer -> Bool? in
                var scanner = JSONScanner(buffer)
                guard let token = try? scanner.scanString() else { return nil }
                return scanner.token(token, equals: "tools/call")
            }
            #expect(result == expected, "\(literal)")
        }
    }

    @Test("invalid escapes are rejected", arguments: [
        #""\x""#, #""\'""#, #""\a""#, #""\U0041""#, #""\u12G4""#, #""\u-123""#, #""\ ""#, #""\0""#, #""\u12"}"#,
    ])
    func invalidEscapes(literal: String) {
        #expect(scanError(literal) != nil)
        #expect(scanError("[\(literal)]") != nil)
    }

    @Test("an invalid escape reports .invalidEscape")
    func invalidEscapeReason() {
        #expect(scanError(#""\x""#)?.reason == .invalidEscape)
        #expect(scanError(#"["\u12G4"]"#)?.reason == .invalidEscape)
        #expect(scanError(#"["\u12"]"#)?.reason == .invalidEscape)
    }

    @Test("unpaired surrogates are rejected", arguments: [
        #""\ud800""#, #""\udc00""#, #""\udfff""#, #""\ud800\u0041""#, #""\ud800x""#, #""\ud800\ud800""#,
        #""\ud800\n""#, #""\udbff""#, #""a\ud83d""#, #""\ude00\ud83d""#, #""\ud800\\udc00""#,
    ])
    func unpairedSurrogates(literal: String) {
        #expect(scanError(literal)?.reason == .unpairedSurrogate)
        #expect(scanError("[\(literal)]")?.reason == .unpairedSurrogate)
        #expect(scanError(#"{\#(literal):1}"#)?.reason == .unpairedSurrogate, "in a key")
    }

    @Test("a high surrogate at the very end is never accepted")
    func truncatedSurrogate() {
        for cut in [#""\ud800"#, #""\ud800\"#, #""\ud800\u"#, #""\ud800\udc"#, #""\ud800\udc0"#] {
            #expect(scanError(cut) != nil, "\(cut)")
        }
    }

    @Test("raw control characters in strings are rejected at every position")
    func controlCharacters() {
        for control: UInt8 in 0x00...0x1F {
            for position in 0..<20 {
                var literal = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "a"), count: 20) + [UInt8(ascii: "\"")]
                literal[1 + position] = control
                let error = scanError(literal)
                #expect(error == JSONScanError(.controlCharacterInString, at: 1 + position), "byte \(control) at \(position)")
            }
        }
        #expect(scanError([UInt8(ascii: "\""), 0x7F, UInt8(ascii: "\"")]) == nil, "DEL is not a control character for JSON")
    }

    @Test("the closing quote is found at every offset (fast path boundaries)")
    func closingQuoteEveryLength() throws {
        for length in 0..<40 {
            let content = String(repeating: "x", count: length)
            let literal = "[\"\(content)\",\"\(content)é\\n\"]"
            let value = try json(literal)
            #expect(value == .array([.string(content), .string(content + "é\n")]), "length \(length)")
        }
    }

    @Test("specials after a run of plain bytes are seen at every offset")
    func specialAfterPlainRun() throws {
        for length in 0..<24 {
            let plain = String(repeating: "p", count: length)
            #expect(try json("\"\(plain)\\\"\(plain)\"") == .string(plain + "\"" + plain))
            #expect(try json("\"\(plain)\\\\\"") == .string(plain + "\\"))
            #expect(try json("\"\(plain)é\(plain)\"") == .string(plain + "é" + plain))
            #expect(scanError(bytes("\"\(plain)") + [0x01] + bytes("\"")) == JSONScanError(.controlCharacterInString, at: 1 + length))
            #expect(scanError(bytes("\"\(plain)") + [0xFF] + bytes("\"")) == JSONScanError(.invalidUTF8, at: 1 + length))
        }
    }

    @Test("an unterminated string is unexpectedEnd")
    func unterminated() {
        #expect(scanError(#""abc"#)?.reason == .unexpectedEnd)
        #expect(scanError(#""abcdefghijklmnopqrstuvwxyz"#)?.reason == .unexpectedEnd)
        #expect(scanError(#""abc\"#)?.reason == .unexpectedEnd)
    }
}

@Suite("JSONScanner: UTF-8")
struct JSONScannerUTF8Tests {
    static let valid: [[UInt8]] = [
        [0xC2, 0x80], [0xDF, 0xBF], [0xC3, 0xA9],
        [0xE0, 0xA0, 0x80], [0xE1, 0x80, 0x80], [0xEC, 0xBF, 0xBF], [0xED, 0x80, 0x80], [0xED, 0x9F, 0xBF],
        [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xE2, 0x80, 0xA8],
        [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF3, 0xBF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
    ]

    static let invalid: [[UInt8]] = [
        [0xC0, 0x80], [0xC1, 0xBF], [0xC0, 0xAF],             // overlong two-byte forms
        [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],               // overlong three-byte forms
        [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],   // overlong four-byte forms
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, 0xAF, 0xBF, 0xED, 0xBF, 0xBF], // encoded surrogates
        [0xF4, 0x90, 0x80, 0x80],                             // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80], [0xF7, 0xBF, 0xBF, 0xBF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFC, 0x84, 0x80, 0x80, 0x80, 0x80],
        [0xFE], [0xFF],
        [0x80], [0xBF], [0x41, 0x80], [0xC3, 0xA9, 0xA9],     // stray continuation bytes
        [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],             // truncated sequences
        [0xC3, 0x41], [0xE2, 0x41, 0xAC], [0xE2, 0x82, 0x41], [0xF0, 0x9F, 0x41, 0x80], [0xF0, 0x9F, 0x98, 0x41],
        [0xC3, 0xC3, 0xA9],
    ]

    @Test("valid sequences are accepted in strings at every alignment", arguments: valid)
    func validSequences(sequence: [UInt8]) throws {
        for padding in 0..<9 {
            let pad = [UInt8](repeating: UInt8(ascii: "a"), count: padding)
            let literal = [UInt8(ascii: "\"")] + pad + sequence + pad + [UInt8(ascii: "\"")]
            #expect(scanError(literal) == nil, "padding \(padding)")
            let value = try json(literal)
            #expect(value.stringValue.map { Array($0.utf8) } == pad + sequence + pad)
        }
    }

    @Test("invalid sequences are rejected as invalidUTF8 at every alignment", arguments: invalid)
    func invalidSequences(sequence: [UInt8]) {
        for padding in 0..<9 {
            let pad = [UInt8](repeating: UInt8(ascii: "a"), count: padding)
            let literal = [UInt8(ascii: "\"")] + pad + sequence + pad + [UInt8(ascii: "\"")]
            let error = scanError(literal)
            #expect(error?.reason == .invalidUTF8, "padding \(padding): \(String(describing: error))")
            #expect(error.map { $0.offset > padding } == true, "offset points into the sequence")
            #expect(scanError([UInt8(ascii: "{"), UInt8(ascii: "\"")] + pad + sequence + bytes("\":1}"))?.reason == .invalidUTF8, "in a key")
        }
    }

    @Test("a truncated sequence at the very end of the input is rejected")
    func truncatedAtEnd() {
        for sequence: [UInt8] in [[0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF0], [0xE2]] {
            #expect(scanError([UInt8(ascii: "\"")] + sequence) != nil)
        }
    }
}

@Suite("JSONScanner: the word-at-a-time string scan")
struct JSONScannerFastPathTests {
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte >= 0x80
    }

    private static func word(_ bytes: [UInt8]) -> UInt64 {
        var word: UInt64 = 0
        for (index, byte) in bytes.enumerated() { word |= UInt64(byte) << (8 * UInt64(index)) }
        return word
    }

    @Test("one byte of each value at each position: flagged exactly when special")
    func everyByteEveryPosition() {
        for value in 0...255 {
            for position in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = UInt8(value)
                let flags = JSONScanner.specialBytes(Self.word(bytes))
                if Self.isSpecial(UInt8(value)) {
                    #expect(flags.trailingZeroBitCount >> 3 == position, "byte \(value) at \(position)")
                } else {
                    #expect(flags == 0, "byte \(value) at \(position)")
                }
            }
        }
    }

    @Test("random words: the lowest flag is the first special byte")
    func randomWords() {
        var random = SplitMix64(seed: 0x5eed)
        let alphabet: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xC3, 0xFF, 0x41, 0x61]
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in random.next() & 1 == 0 ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random) }
            let flags = JSONScanner.specialBytes(Self.word(bytes))
            if let first = bytes.firstIndex(where: Self.isSpecial) {
                #expect(flags.trailingZeroBitCount >> 3 == first, "\(bytes)")
            } else {
                #expect(flags == 0, "\(bytes)")
            }
        }
    }
}

@Suite("JSONScanner: nesting")
struct JSONScannerDepthTests {
    private func arrays(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    private func objects(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    }

    @Test("nesting at the default limit is accepted; one deeper is rejected")
    func defaultLimit() {
        let limit = JSONScanner.defaultMaxDepth
        #expect(scanError(arrays(limit)) == nil)
        #expect(parseError(bytes(arrays(limit))) == nil)
        #expect(scanError(arrays(limit + 1)) == JSONScanError(.tooDeep(limit: limit), at: limit))
        #expect(parseError(bytes(arrays(limit + 1)))?.reason == .tooDeep(limit: limit))
        #expect(scanError(objects(limit)) == nil)
        #expect(parseError(bytes(objects(limit))) == nil)
        #expect(scanError(objects(limit + 1))?.reason == .tooDeep(limit: limit))
        #expect(parseError(bytes(objects(limit + 1)))?.reason == .tooDeep(limit: limit))
    }

    @Test("mixed nesting counts arrays and objects alike")
    func mixed() {
        let limit = JSONScanner.defaultMaxDepth
        var open = "", close = ""
        for level in 0..<limit {
            if level % 2 == 0 { open += "["; close = "]" + close } else { open += #"{"k":"#; close = "}" + close }
        }
        #expect(scanError(open + "1" + close) == nil)
        #expect(scanError(open + "[1]" + close)?.reason == .tooDeep(limit: limit))
    }

    @Test("a custom limit", arguments: [1, 2, 3, 10])
    func customLimit(limit: Int) {
        #expect(scanError(arrays(limit), maxDepth: limit) == nil)
        #expect(scanError(arrays(limit + 1), maxDepth: limit)?.reason == .tooDeep(limit: limit))
        #expect(parseError(bytes(objects(limit)), maxDepth: limit) == nil)
        #expect(parseError(bytes(objects(limit + 1)), maxDepth: limit)?.reason == .tooDeep(limit: limit))
    }

    @Test("scalars need no depth: a limit of 0 still accepts them")
    func scalarsAtZero() {
        #expect(scanError("1", maxDepth: 0) == nil)
        #expect(scanError("[]", maxDepth: 0)?.reason == .tooDeep(limit: 0))
    }

    @Test("absurd nesting is rejected without exhausting the stack")
    func absurdNesting() {
        let open = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
        #expect(scanError(open)?.reason == .tooDeep(limit: JSONScanner.defaultMaxDepth))
        let objects = [UInt8](String(repeating: #"{"a":"#, count: 100_000).utf8)
        #expect(parseError(objects)?.reason == .tooDeep(limit: JSONScanner.defaultMaxDepth))
    }
}

@Suite("JSONScanner: duplicate keys")
struct JSONScannerDuplicateKeyTests {
    @Test("a duplicate at the top level is reported at the second key")
    func topLevel() {
        #expect(scanError(#"{"a":1,"a":2}"#) == JSONScanError(.duplicateKey("a"), at: 7))
        #expect(scanError(#"{"a":1,"b":2,"a":3}"#) == JSONScanError(.duplicateKey("a"), at: 13))
        #expect(scanError(#"{"":1,"":2}"#)?.reason == .duplicateKey(""))
        #expect(parseError(bytes(#"{"a":1,"a":1}"#))?.reason == .duplicateKey("a"), "even with equal values")
    }

    @Test("a duplicate nested deep is found")
    func nestedDeep() {
        let depth = 60
        let document = String(repeating: #"{"x":["#, count: depth) + #"{"k":1,"j":2,"k":3}"# + String(repeating: "]}", count: depth)
        #expect(scanError(document)?.reason == .duplicateKey("k"))
        #expect(parseError(bytes(document))?.reason == .duplicateKey("k"))
        let fine = String(repeating: #"{"x":["#, count: depth) + #"{"k":1,"j":2}"# + String(repeating: "]}", count: depth)
        #expect(scanError(fine) == nil)
    }

    @Test("keys that collide after decoding escapes are duplicates", arguments: [
        (#"{"a":1,"\u0061":2}"#, "a"), (#"{"\u0061":1,"a":2}"#, "a"), (#"{"\u0061":1,"\u0061":2}"#, "a"),
        (#"{"é":1,"\u00e9":2}"#, "é"), (#"{"\u00E9":1,"é":2}"#, "é"), (#"{"😀":1,"\ud83d\ude00":2}"#, "😀"),
        (#"{"a/b":1,"a\/b":2}"#, "a/b"), (#"{"id":1,"\u0069\u0064":2}"#, "id"), (#"{"\n":1,"\u000a":2}"#, "\n"),
        (#"{"\"":1,"\u0022":2}"#, "\""),
    ])
    func escapedCollisions(document: String, key: String) {
        #expect(scanError(document)?.reason == .duplicateKey(key))
        #expect(parseError(bytes(document))?.reason == .duplicateKey(key))
    }

    @Test("distinct keys are not duplicates", arguments: [
        #"{"a":1,"A":2}"#, #"{"a":1,"a ":2}"#, #"{"ab":1,"a":2}"#, #"{"a":{"a":1},"b":{"a":2}}"#, #"[{"a":1},{"a":1}]"#,
        #"{"a":1,"\u0062":2}"#, #"{"é":1,"e":2}"#, #"{"\u00e9":1,"\u00e8":2}"#, #"{"abcdefgh1":1,"abcdefgh2":2}"#,
        #"{"1abcdefgh":1,"2abcdefgh":2}"#, #"{"abcdefghXabcdefgh":1,"abcdefghYabcdefgh":2}"#, #"{"":1,"\u0000":2}"#,
        #"{"a":{"b":1},"b":{"a":1}}"#,
    ])
    func distinctKeys(document: String) {
        #expect(scanError(document) == nil)
        #expect(parseError(bytes(document)) == nil)
    }

    private func object(keys: [String]) -> String {
        "{" + keys.enumerated().map { #""\#($0.element)":\#($0.offset)"# }.joined(separator: ",") + "}"
    }

    @Test("objects of 16, 17 and many more distinct keys are accepted", arguments: [15, 16, 17, 18, 32, 100, 1000])
    func manyDistinctKeys(count: Int) throws {
        let keys = (0..<count).map { "key\($0)" }
        #expect(scanError(object(keys: keys)) == nil)
        let value = try json(object(keys: keys))
        #expect(value.objectValue?.keys == keys, "member order is kept")
    }

    @Test("past 16 keys: a duplicate of the first key at the end", arguments: [17, 18, 20, 64, 500])
    func spillDuplicateOfFirst(count: Int) {
        var keys = (0..<(count - 1)).map { "k\($0)" }
        keys.append("k0")
        #expect(scanError(object(keys: keys))?.reason == .duplicateKey("k0"))
        #expect(parseError(bytes(object(keys: keys)))?.reason == .duplicateKey("k0"))
    }

    @Test("past 16 keys: a duplicate of the 16th key, and of a spilled key", arguments: [17, 20, 100])
    func spillDuplicateOfOthers(count: Int) {
        var keys = (0..<(count - 1)).map { "k\($0)" }
        keys.append("k15")
        #expect(scanError(object(keys: keys))?.reason == .duplicateKey("k15"))
        if count > 18 {
            var spilled = (0..<(count - 1)).map { "k\($0)" }
            spilled.append("k\(count - 2)")
            #expect(scanError(object(keys: spilled))?.reason == .duplicateKey("k\(count - 2)"))
        }
    }

    @Test("past 16 keys: a duplicate at the start (the 17th key repeats the 1st)")
    func spillDuplicateAtStart() {
        var keys = (0..<16).map { "k\($0)" }
        keys.append("k0")
        keys += (16..<30).map { "k\($0)" }
        #expect(scanError(object(keys: keys))?.reason == .duplicateKey("k0"))
    }

    @Test("past 16 keys: an escaped duplicate collides after decoding")
    func spillEscapedDuplicate() {
        var members = (0..<20).map { #""k\#($0)":\#($0)"# }
        members.append(#""\u006b0":99"#)
        #expect(scanError("{" + members.joined(separator: ",") + "}")?.reason == .duplicateKey("k0"))
        var reversed = [#""\u006b0":99"#]
        reversed += (1..<20).map { #""k\#($0)":\#($0)"# }
        reversed.append(#""k0":0"#)
        #expect(scanError("{" + reversed.joined(separator: ",") + "}")?.reason == .duplicateKey("k0"))
    }

    @Test("past 16 keys: long keys that share their first and last bytes are told apart")
    func spillLongSimilarKeys() {
        let keys = (0..<40).map { "prefix-prefix-\($0 % 10)\($0 / 10)-suffix-suffix" }
        #expect(scanError(object(keys: keys)) == nil)
        #expect(scanError(object(keys: keys + [keys[7]]))?.reason == .duplicateKey(keys[7]))
        let sameLength = (0..<40).map { "abcdefgh\($0 + 10)abcdefgh" }
        #expect(scanError(object(keys: sameLength)) == nil)
        #expect(scanError(object(keys: sameLength + [sameLength[39]]))?.reason == .duplicateKey(sameLength[39]))
    }

    @Test("each nested object has its own key set, even past 16 keys")
    func nestedKeySets() {
        let inner = object(keys: (0..<20).map { "k\($0)" })
        #expect(scanError(#"{"a":\#(inner),"b":\#(inner),"k0":\#(inner)}"#) == nil)
        #expect(scanError(#"{"a":\#(inner),"b":\#(inner),"a":1}"#)?.reason == .duplicateKey("a"))
    }
}

@Suite("JSONScanner: truncation and random damage")
struct JSONScannerRobustnessTests {
    static let messages: [String] = [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#,
        #"{"jsonrpc":"2.0","id":"a\"b\u00e9\\","method":"tools\/call","params":{"name":"x","arguments":{"n":-1.5e-7,"t":true,"f":false,"z":null}}}"#,
        #"[{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}]"#,
        "{\"text\":\"héllo 😀 \\ud83d\\ude00 \\u20ac\",\"list\":[[],{},[[1]],\"\",0,-0,1E+2]}",
        #"{"jsonrpc":"2.0","id":-0,"result":{"content":[{"type":"text","text":"done"}],"isError":false}}"#,
    ]

    @Test("every proper prefix of a valid message is rejected", arguments: messages)
    func everyPrefixRejected(message: String) {
        let full = bytes(message)
        #expect(scanError(full) == nil)
        #expect(parseError(full) == nil)
        for cut in 0..<full.count {
            let prefix = Array(full[..<cut])
            let error = scanError(prefix)
            #expect(error != nil, "prefix of \(cut) bytes was accepted")
            #expect(parseError(prefix) != nil, "prefix of \(cut) bytes was parsed")
            if let error {
                #expect(error.offset <= cut, "offset \(error.offset) past the end \(cut)")
            }
        }
    }

    @Test("every suffix cut and every single-byte deletion never crashes and agrees between scanner and parser", arguments: messages)
    func deletions(message: String) {
        let full = bytes(message)
        for index in full.indices {
            var damaged = full
            damaged.remove(at: index)
            #expect((scanError(damaged) == nil) == (parseError(damaged) == nil), "deleting byte \(index)")
            let suffix = Array(full[index...])
            #expect((scanError(suffix) == nil) == (parseError(suffix) == nil), "suffix from \(index)")
        }
    }

    @Test("random damage never crashes; scanner and parser agree; what parses round-trips")
    func randomDamage() throws {
        var random = SplitMix64(seed: 42)
        let interesting: [UInt8] = bytes("{}[]\":,\\u0123456789abcdefABCDEF-+.eEtrufalsn \t\r\n") + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        for round in 0..<4000 {
            var damaged = bytes(Self.messages[round % Self.messages.count])
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: damaged[index] = interesting.randomElement(using: &random)!
                case 1: damaged.insert(interesting.randomElement(using: &random)!, at: index)
                default: if damaged.count > 1 { damaged.remove(at: index) }
                }
            }
            let scanned = scanError(damaged)
            let parsed = Result { try json(damaged) }
            switch parsed {
            case .success(let value):
                #expect(scanned == nil)
                // What was accepted re-serializes to something that parses to the same value.
                #expect(try json(value.serialized) == value)
            case .failure(let error):
                #expect(scanned == (error as? JSONScanError), "scanner and parser disagree on \(text(damaged))")
            }
        }
    }
}

@Suite("JSONScanError")
struct JSONScanErrorTests {
    @Test("descriptions name the fault and the offset")
    func descriptions() {
        #expect(JSONScanError(.unexpectedEnd, at: 3).description == "truncated JSON at byte 3")
        #expect(JSONScanError(.unexpectedByte(UInt8(ascii: "x")), at: 1).description == "unexpected character 'x' at byte 1")
        #expect(JSONScanError(.unexpectedByte(0x07), at: 0).description == "unexpected byte 0x7 at byte 0")
        #expect(JSONScanError(.unexpectedByte(0xFF), at: 0).description == "unexpected byte 0xFF at byte 0")
        #expect(JSONScanError(.duplicateKey("id"), at: 9).description == "duplicate key \"id\" at byte 9")
        #expect(JSONScanError(.tooDeep(limit: 128), at: 128).description == "nesting deeper than 128 levels at byte 128")
        #expect(JSONScanError(.invalidUTF8, at: 2).description.contains("UTF-8"))
        #expect(JSONScanError(.empty, at: 0).description == "empty message at byte 0")
    }
}
