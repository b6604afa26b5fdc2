import Testing
@testable import TollgateKit

/// The relay's hot path: the iterative skipper's key stack, the envelope's member loop, and the
/// second look at checked bytes (a tool call's header).
@Suite("JSONScanner: hot path")
struct JSONScannerHotPathTests {
    private func object(_ keys: Range<Int>, prefix: String, inner: String? = nil) -> String {
        var members = keys.map { #""\#(prefix)\#($0)":\#($0)"# }
        if let inner { members.append(#""inner":\#(inner)"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    @Test("keys of many open objects outgrow the stack's inline space and are still told apart")
    func keyStackGrows() {
        // Six levels of fifteen keys: ninety keys open at once, past the forty kept inline.
        var document = object(0..<15, prefix: "k")
        for _ in 0..<5 { document = object(0..<15, prefix: "k", inner: document) }
        #expect(scanError(document) == nil)
        // A duplicate in the innermost object, and one in the outermost after the inner ones closed.
        var innerDuplicate = "{\"k1\":1,\"k1\":2}"
        for _ in 0..<6 { innerDuplicate = object(0..<15, prefix: "k", inner: innerDuplicate) }
        #expect(scanError(innerDuplicate)?.reason == .duplicateKey("k1"))
        let outerDuplicate = String(document.dropLast()) + ",\"k3\":0}"
        #expect(scanError(outerDuplicate)?.reason == .duplicateKey("k3"))
    }

    @Test("at and past the fast path's own limits (64 levels, 32 open keys) documents are checked the same",
          arguments: [60, 63, 64, 65, 100, 127, 128])
    func fastPathLevels(levels: Int) {
        let nested = String(repeating: #"{"a":["#, count: levels / 2) + "1" + String(repeating: "]}", count: levels / 2)
        #expect(scanError(nested) == nil)
        let duplicate = String(repeating: #"{"a":["#, count: levels / 2) + #"{"k":1,"k":2}"# + String(repeating: "]}", count: levels / 2)
        #expect(scanError(duplicate)?.reason == (levels < 128 ? .duplicateKey("k") : .tooDeep(limit: 128)))
        let truncated = String(nested.dropLast())
        #expect(scanError(truncated)?.reason == .unexpectedEnd)
    }

    @Test("escaped or non-ASCII keys leave the fast path and are still compared after decoding")
    func fastPathKeys() {
        #expect(scanError(#"{"x":{"é":1,"\u00e9":2}}"#)?.reason == .duplicateKey("é"))
        #expect(scanError(#"{"x":{"é":1,"e":2}}"#) == nil)
        #expect(scanError(#"{"x":{"a\nb":1,"a\u000ab":2}}"#)?.reason == .duplicateKey("a\nb"))
        #expect(scanError(#"{"x":["\u00e9\ud83d\ude00", "plain"]}"#) == nil)
        #expect(scanError(#"{"x":["\ud83d"]}"#)?.reason == .unpairedSurrogate)
    }

    @Test("an object that spills past sixteen keys keeps its own index while nested objects come and go")
    func spillWithNesting() {
        let inner = object(0..<20, prefix: "k")
        var members = (0..<20).map { #""k\#($0)":\#(inner)"# }
        #expect(scanError("{" + members.joined(separator: ",") + "}") == nil)
        members.append(#""k19":1"#)
        #expect(scanError("{" + members.joined(separator: ",") + "}")?.reason == .duplicateKey("k19"))
    }

    @Test("envelope members JSON-RPC does not define are checked for duplicates too", arguments: [1, 16, 17, 40])
    func envelopeExtraMembers(count: Int) {
        let extras = (0..<count).map { #""x\#($0)":\#($0)"# }.joined(separator: ",")
        let message = #"{"jsonrpc":"2.0","id":1,"method":"ping",\#(extras)}"#
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(Array(message.utf8)) else {
            Issue.record("expected a message")
            return
        }
        #expect(envelope.hasExtraMembers)
        #expect(envelope.kind == .request)
        let duplicated = #"{"jsonrpc":"2.0","id":1,"method":"ping",\#(extras),"x0":1}"#
        guard case .failure(let failure) = MessageEnvelope.scan(Array(duplicated.utf8)) else {
            Issue.record("a duplicate extra member must be rejected")
            return
        }
        #expect(failure.error.reason == .duplicateKey("x0"))
    }

    @Test("methods MCP defines and others read alike", arguments: [
        "tools/call", "tools/list", "initialize", "notifications/initialized", "sampling/createMessage",
        "tools/callx", "tools/cal", "x/unknown", "",
    ])
    func methodNames(method: String) {
        let message = #"{"jsonrpc":"2.0","method":"\#(method)"}"#
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(Array(message.utf8)) else {
            Issue.record("expected a message")
            return
        }
        #expect(envelope.method == method)
        let escaped = #"{"jsonrpc":"2.0","method":"\#(method.replacingSlashes())"}"#
        guard case .success(.single(let decoded)) = MessageEnvelope.scan(Array(escaped.utf8)) else {
            Issue.record("expected a message")
            return
        }
        #expect(decoded.method == method)
    }

    @Test("a tool call's header is read from checked params however they are spelled", arguments: [
        (#"{"name":"echo","arguments":{"text":"hi"}}"#, "echo", ProtocolEra.session),
        (#" { "arguments" : { "a" : [ "}" , "]" , "\"{" , { "b" : null } ] } , "name" : "e\u0063ho" } "#, "echo", .session),
        (#"{"arguments":{"n":-1.5e3,"t":true},"_meta":{"x":[1,{"y":"}"}],"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"name":"t"}"#, "t", .stateless),
        (#"{"name":"a\"b","arguments":null}"#, "a\"b", .session),
        (#"{"argumentx":[1],"arguments":{},"name":"é😀","names":1}"#, "é😀", .session),
        (#"{"n\u0061me":"x","_met\u0061":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#, "x", .stateless),
    ])
    func headerOfCheckedParams(params: String, name: String, era: ProtocolEra) throws {
        let bytes = Array(params.utf8)
        #expect(scanError(bytes) == nil, "the fixture must be valid JSON")
        let header = try bytes.withUnsafeBytes { try ToolCallHeader.read($0) }
        #expect(header.name == name)
        #expect(header.era == era)
    }

    @Test("a header without a string name or with non-object arguments is invalid params", arguments: [
        #"{"arguments":{}}"#, #"{"name":1}"#, #"{"name":"x","arguments":[1]}"#, #"[]"#, #"{}"#,
    ])
    func invalidHeaders(params: String) {
        let bytes = Array(params.utf8)
        #expect(throws: JSONRPCError.self) { try bytes.withUnsafeBytes { try ToolCallHeader.read($0) } }
    }

    @Test("skipping checked values stops exactly after each value")
    func skipCheckedValues() {
        let values = [#""a\\\"b""#, "-12.5e+3", "true", "null", #"{"a":[1,{"b":"]"}]}"#, "[[],{}]", "0",
                      #""a string of more than eight bytes, with \"quotes\" and \\ backslashes\\""#,
                      #"{"text":"é€😀 0123456789 \\\" 01234567\\","n":["0123456789abcdef\"]"]}"#]
        let document = Array(values.joined(separator: " , ").utf8)
        document.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            for value in values {
                let start = scanner.position
                scanner.skipCheckedValue()
                let text = String(decoding: bytes[start..<scanner.position], as: UTF8.self)
                #expect(text.trimmingLeadingSpaces() == value)
                if scanner.nextByte() == UInt8(ascii: ",") { scanner.position += 1 }
            }
            #expect(scanner.nextByte() == 0)
        }
    }
}

private extension String {
    func replacingSlashes() -> String { split(separator: "/", omittingEmptySubsequences: false).joined(separator: "\\/") }
    func trimmingLeadingSpaces() -> String { String(drop { $0 == " " }) }
}
