import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// A `tools/call` read from its checked bytes (no tree) against the same call parsed whole, its
/// reference: the same call or the same error, and the same bytes for the server.
@Suite("ToolCall: read from checked params, as parsed")
struct CheckedToolCallTests {
    private static let id = RequestID(bytes: Array("7".utf8), isString: false, hasEscapes: false)

    /// The call parsed whole (the reference), or its error.
    private func parsed(_ params: [UInt8]) -> Result<ToolCall, JSONRPCError> {
        let value = params.withUnsafeBytes { try? JSONValue.parse($0) }
        return Result { () throws(JSONRPCError) in try ToolCall(id: Self.id, params: value) }
    }

    /// The call read from the checked bytes, or its error.
    private func read(_ params: [UInt8]) -> Result<ToolCall, JSONRPCError> {
        params.withUnsafeBytes { bytes in Result { () throws(JSONRPCError) in try ToolCall(id: Self.id, checkedParams: bytes) } }
    }

    /// What the relay writes for a call read from `line` (through ``LinePump``), and the
    /// re-serialization of the same call parsed whole.
    private func forwarded(_ line: [UInt8]) throws -> (written: [UInt8], reserialized: [UInt8]?) {
        var written: [UInt8] = []
        var reserialized: [UInt8]?
        var file = Array("/tmp/tollgate-checked-call-XXXXXX".utf8CString)
        let fd = file.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        defer { close(fd); file.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
        _ = (line + [0x0A]).withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        lseek(fd, 0, SEEK_SET)
        var pump = LinePump(maxLineBytes: 1 << 24)
        let partial = pump.run(fd: fd, decide: { line in
            guard case .single(.toolCall(let call)) = ClientLine.read(line) else { return (RelayActions(), .none) }
            let params = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[call.paramsSpan!]))
            reserialized = (try? ToolCall(id: call.id, params: params))?.requestBytes
            return (RelayActions(forward: .call(call)), .none)
        }, oversized: { _, _ in RelayActions() }, flush: { pieces, _, _ in
            for piece in pieces { written += piece }
        })
        #expect(partial == 0, "the line ends with its newline")
        return (written, reserialized)
    }

    @Test("isCompact is true exactly for what the writer writes", arguments: 0..<4)
    func compactAgreesWithTheWriter(seed: UInt64) {
        var generator = MessageGenerator(seed: 0xC0DE &+ seed)
        var compact = 0, checked = 0
        for _ in 0..<3000 {
            let document = generator.document()
            guard let value = document.withUnsafeBytes({ try? JSONValue.parse($0) }) else { continue }
            checked += 1
            let expected = document.withUnsafeBytes { JSONWriter.serializes(value, as: $0) }
            #expect(document.withUnsafeBytes { JSONScanner.isCompact(checked: $0) } == expected, "\(String(decoding: document, as: UTF8.self))")
            if expected { compact += 1 }
            #expect(value.serialized.withUnsafeBytes { JSONScanner.isCompact(checked: $0) }, "the writer's own bytes")
        }
        // Both answers must occur, or the comparison proves little.
        #expect(compact > 100 && compact < checked - 100, "compact \(compact) of \(checked)")
    }

    @Test("the tree of checked bytes is the tree the scanner parses", arguments: 0..<4)
    func checkedTreeAgreesWithTheScanner(seed: UInt64) {
        var generator = MessageGenerator(seed: 0x7EE &+ seed)
        var checked = 0
        for _ in 0..<3000 {
            let document = generator.document()
            guard let value = document.withUnsafeBytes({ try? JSONValue.parse($0) }) else { continue }
            checked += 1
            let tree = document.withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes)
                return scanner.parseCheckedValue()
            }
            #expect(tree == value && tree.serialized == value.serialized, "\(String(decoding: document, as: UTF8.self))")
        }
        #expect(checked > 1000, "checked \(checked)")
    }

    @Test("isCompact: every escape, the writer's and the others", arguments: (0..<0x80).map { UInt8($0) })
    func escapes(byte: UInt8) throws {
        let hex = String(byte, radix: 16)
        let padded = String(repeating: "0", count: 4 - hex.count) + hex
        var spellings = [#""\u\#(padded)""#, #""\u\#(padded.uppercased())""#, #"["x\u\#(padded)y"]"#]
        if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
            spellings.append("\"" + String(UnicodeScalar(byte)) + "\"")
        }
        for short in ["\"", "\\", "/", "b", "f", "n", "r", "t"] { spellings.append(#""\\#(short)""#) }
        for spelling in spellings {
            let bytes = Array(spelling.utf8)
            let value = try #require(try? JSONValue.parse(bytes), "\(spelling)")
            let expected = bytes.withUnsafeBytes { JSONWriter.serializes(value, as: $0) }
            #expect(bytes.withUnsafeBytes { JSONScanner.isCompact(checked: $0) } == expected, "\(spelling)")
        }
    }

    @Test("generated params read as the parsed call, or fail alike", arguments: 0..<4)
    func generatedParams(seed: UInt64) {
        var generator = MessageGenerator(seed: 0xCA11 &+ seed)
        let names = [#""echo""#, #""ech\u006f""#, #""é😀""#, #""a\"b""#, "1", "null", #""\ud83d\ude00""#, #""""#]
        let keys = [#""name""#, #""n\u0061me""#, #""arguments""#, #""argument\u0073""#, #""_meta""#, #""x""#]
        let metas = [#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#, #"{"io.modelcontextprotocol/protocolVersion":"2025-11-25"}"#,
                     #"{"progressToken":1}"#, "[]"]
        var calls = 0
        for _ in 0..<2000 {
            var members: [String] = []
            for _ in 0..<Int(generator.random.next() % 4) + 1 {
                let key = generator.pick(keys)
                let value: String
                switch key {
                case #""name""#, #""n\u0061me""#: value = generator.pick(names)
                case #""_meta""#: value = generator.pick(metas)
                default: value = generator.chance(70) ? "{" + #""k":"# + generator.value(3) + "}" : generator.value(2)
                }
                members.append(generator.space() + key + generator.space() + ":" + generator.space() + value)
            }
            let params = Array(("{" + members.joined(separator: ",") + "}").utf8)
            guard scanError(params) == nil else { continue }  // the scanner refuses it before any call is read
            let reference = parsed(params), candidate = read(params)
            #expect(reference == candidate, "\(String(decoding: params, as: UTF8.self))")
            guard case .success(let call) = candidate, case .success(let expected) = reference else { continue }
            calls += 1
            #expect(call.arguments == expected.arguments && call.params == expected.params)
            #expect(call.name.utf8.elementsEqual(expected.name.utf8) && call.era == expected.era)
            #expect(call.requestBytes == expected.requestBytes, "the bytes for the server")
        }
        #expect(calls > 200, "calls read: \(calls)")
    }

    @Test("the relay writes a checked call as its re-serialization, compact or not, small or large", arguments: [
        #"{"name":"echo","arguments":{"text":"hello"}}"#,
        #"{ "name" : "echo", "arguments" : { "text" : "hello" } }"#,
        #"{"name":"ech\u006f","arguments":{"t\u0065xt":"\u00e9\/\u000A\u001F"}}"#,
        #"{"name":"echo","arguments":{"n":[1e400,-0,1.0,123456789012345678901234567890,-1.5E-3]}}"#,
        #"{"name":"echo","arguments":{"t":"\n\r\t\b\f\u0000\u001f\"\\"},"_meta":{"progressToken":"p"}}"#,
        #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"arguments":null,"name":"é😀"}"#,
    ])
    func forwardedBytes(params: String) throws {
        for padding in [0, LinePump.directBytes] {
            let filler = padding == 0 ? "" : #","pad":""# + String(repeating: "x", count: padding) + "\""
            let text = String(params.dropLast()) + filler + "}"
            let line = Array(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"#.utf8) + Array(text.utf8) + [UInt8(ascii: "}")]
            let (written, reserialized) = try forwarded(line)
            let expected = try #require(reserialized, "\(params)")
            #expect(written == expected + [0x0A], "\(params) (\(line.count) bytes)")
            let call = read(Array(text.utf8))
            let compact = try call.get().paramsAreCompact
            #expect(compact == Array(text.utf8).withUnsafeBytes { JSONWriter.serializes(try! JSONValue.parse($0), as: $0) })
        }
    }

    @Test("adversarial calls: duplicate keys refused, escaped names decoded, the depth limit kept, no raw CR out, big numbers kept")
    func adversarial() throws {
        func message(_ params: String) -> [UInt8] { Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":\#(params)}"#.utf8) }
        func call(_ params: String) -> ToolCall? {
            guard case .single(.toolCall(let call)) = message(params).withUnsafeBytes({ ClientLine.read($0) }) else { return nil }
            return call
        }
        // Duplicate keys, also spelled apart by escapes, never become a call.
        for params in [#"{"name":"a","name":"b"}"#, #"{"name":"a","n\u0061me":"b"}"#, #"{"name":"a","arguments":{"x":1,"\u0078":2}}"#] {
            #expect(call(params) == nil, "\(params)")
            guard case .malformed = message(params).withUnsafeBytes({ ClientLine.read($0) }) else {
                Issue.record("a duplicate key must make the line malformed: \(params)")
                continue
            }
        }
        // An escaped name is the decoded name, compared by bytes; it goes out re-serialized.
        let escaped = try #require(call(#"{"name":"\u0065cho\u212a","arguments":{}}"#))
        #expect(Array(escaped.name.utf8) == Array("echo\u{212A}".utf8) && !escaped.paramsAreCompact)
        #expect(escaped.requestBytes == Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo\#u{212A}","arguments":{}}}"#.utf8))
        // Nesting up to the limit reads; one more level is refused (the message, params and arguments take 3).
        let deepest = JSONScanner.defaultMaxDepth - 3
        let nested = String(repeating: "[", count: deepest) + String(repeating: "]", count: deepest)
        let deep = try #require(call(#"{"name":"x","arguments":{"a":\#(nested)}}"#))
        #expect(deep.arguments["a"] == (try JSONValue.parse(nested)))
        #expect(call(#"{"name":"x","arguments":{"a":[\#(nested)]}}"#) == nil)
        // A raw CR between tokens is a tab by the time the line is read (``LineFramer``): the call
        // is not compact, and no CR goes out.
        let (written, reserialized) = try forwarded(message("{\"name\":\"x\",\r\"arguments\":{\"a\":\r1}}"))
        let expected = try #require(reserialized)
        #expect(!written.contains(0x0D) && written == expected + [0x0A])
        // Big numbers keep their text in the tree and in the bytes that go out.
        let big = try #require(call(#"{"name":"x","arguments":{"n":123456789012345678901234567890,"e":1e400}}"#))
        #expect(big.arguments["n"] == .number("123456789012345678901234567890") && big.arguments["e"] == .number("1e400"))
        #expect(String(decoding: big.requestBytes, as: UTF8.self).contains(#""n":123456789012345678901234567890,"e":1e400"#))
    }
}
