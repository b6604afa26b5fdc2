import Testing
@testable import TollgateKit

@Suite("MessageEnvelope: kinds")
struct MessageEnvelopeKindTests {
    @Test("requests, notifications and responses", arguments: [
        (#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, MessageEnvelope.Kind.request),
        (#"{"method":"ping","id":"x","jsonrpc":"2.0","params":{}}"#, .request),
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":[]}"#, .request),
        (#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, .notification),
        (#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}"#, .notification),
        (#"{"jsonrpc":"2.0","id":1,"result":{}}"#, .response),
        (#"{"jsonrpc":"2.0","id":1,"result":null}"#, .response),
        (#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#, .response),
        (#"{"jsonrpc":"2.0","id":"s-1","error":{"code":1,"message":"m"},"extra":true}"#, .response),
    ])
    func validKinds(line: String, kind: MessageEnvelope.Kind) throws {
        #expect(try singleEnvelope(line).kind == kind)
    }

    @Test("well-formed JSON that is not JSON-RPC is .invalid", arguments: [
        #"{"id":1,"method":"ping"}"#,                                   // no jsonrpc
        #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,                   // wrong version
        #"{"jsonrpc":2.0,"id":1,"method":"ping"}"#,                     // version not a string
        #"{"jsonrpc":"2.0 ","id":1,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":5}"#,                        // method not a string
        #"{"jsonrpc":"2.0","id":1,"method":null}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"m","params":1}"#,           // params not structured
        #"{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"m","params":null}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"m","result":{}}"#,          // request carrying a result
        #"{"jsonrpc":"2.0","method":"m","error":{}}"#,
        #"{"jsonrpc":"2.0","id":null,"method":"m"}"#,                   // null id on a request
        #"{"jsonrpc":"2.0","id":{},"method":"m"}"#,                     // id of the wrong type
        #"{"jsonrpc":"2.0","id":[1],"method":"m"}"#,
        #"{"jsonrpc":"2.0","id":true,"method":"m"}"#,
        #"{"jsonrpc":"2.0"}"#,                                          // neither method nor id
        #"{"jsonrpc":"2.0","result":{}}"#,
        #"{"jsonrpc":"2.0","id":1}"#,                                   // response without result or error
        #"{"jsonrpc":"2.0","id":1,"result":{},"error":{}}"#,            // both
        #"{}"#, "1", #""text""#, "null", "true",
    ])
    func invalidKinds(line: String) throws {
        let envelope = try singleEnvelope(line)
        guard case .invalid(let why) = envelope.kind else {
            Issue.record("expected .invalid, got \(envelope.kind)")
            return
        }
        #expect(!why.description.isEmpty)
    }

    @Test("a batch is scanned element by element")
    func batch() throws {
        let line = #"[{"jsonrpc":"2.0","id":1,"method":"a"}, {"jsonrpc":"2.0","method":"b"} ,{"jsonrpc":"2.0","id":2,"result":1},7,{"id":3}]"#
        guard case .success(.batch(let elements)) = envelope(line) else {
            Issue.record("not a batch")
            return
        }
        try #require(elements.count == 5)
        #expect(elements[0].kind == .request)
        #expect(elements[0].method == "a")
        #expect(elements[1].kind == .notification)
        #expect(elements[2].kind == .response)
        #expect(elements[3].kind == .invalid("message is not a JSON object"))
        if case .invalid = elements[4].kind {} else { Issue.record("element 4 should be invalid") }
        #expect(slice(line, elements[1].span) == #"{"jsonrpc":"2.0","method":"b"}"#)
        #expect(slice(line, elements[3].span) == "7")
        #expect(slice(line, elements[4].id) == "3")
    }

    @Test("an empty batch scans as a batch of nothing")
    func emptyBatch() {
        #expect(envelope("[]") == .success(.batch([])))
        #expect(envelope(" [ ] ") == .success(.batch([])))
    }

    @Test("isRequest checks kind and method")
    func isRequest() throws {
        #expect(try singleEnvelope(#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#).isRequest("tools/call"))
        #expect(try !singleEnvelope(#"{"jsonrpc":"2.0","method":"tools/call"}"#).isRequest("tools/call"))
        #expect(try !singleEnvelope(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).isRequest("tools/call"))
    }
}

@Suite("MessageEnvelope: members")
struct MessageEnvelopeMemberTests {
    @Test("a method with escapes is decoded", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools\/call"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools\u002fcall"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools\u002Fcall"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"\u0074ools/call"}"#,
        #"{"jsonrpc":"2.0","id":1,"\u006dethod":"tools/call"}"#,
        #"{"\u006a\u0073\u006f\u006e\u0072\u0070\u0063":"\u0032.0","\u0069\u0064":1,"method":"tools/call"}"#,
    ])
    func escapedMethod(line: String) throws {
        let envelope = try singleEnvelope(line)
        #expect(envelope.method == "tools/call")
        #expect(envelope.isRequest("tools/call"))
    }

    @Test("ids keep their exact bytes", arguments: [
        (#""a\"b\u00e9\\c\/""#, MessageEnvelope.IDKind.string, true),
        (#""plain""#, .string, false),
        (#""""#, .string, false),
        ("\"é😀\"", .string, false),
        ("123456789012345678901234567890", .number, false),
        ("-123456789012345678901234567890", .number, false),
        ("9007199254740993", .number, false),
        ("-7", .number, false),
        ("0", .number, false),
        ("-0", .number, false),
        ("1e3", .number, false),
        ("1E+3", .number, false),
        ("-1.5e-7", .number, false),
        ("1.0", .number, false),
    ])
    func exactIDs(id: String, kind: MessageEnvelope.IDKind, escaped: Bool) throws {
        for line in [#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#,
                     #"{"jsonrpc":"2.0", "id" :  \#(id)  ,"method":"ping"}"#,
                     #"{"jsonrpc":"2.0","method":"ping","params":{"id":"not this"},"id":\#(id)}"#,
                     #"{"jsonrpc":"2.0","id":\#(id),"result":{"id":0}}"#] {
            let envelope = try singleEnvelope(line)
            #expect(slice(line, envelope.id) == id, "\(line)")
            #expect(envelope.idKind == kind)
            #expect(envelope.idHasEscapes == escaped)
        }
    }

    @Test("id kinds of null and other values")
    func otherIDKinds() throws {
        let null = try singleEnvelope(#"{"jsonrpc":"2.0","id":null,"result":1}"#)
        #expect(null.idKind == .null)
        #expect(slice(#"{"jsonrpc":"2.0","id":null,"result":1}"#, null.id) == "null")
        #expect(try singleEnvelope(#"{"jsonrpc":"2.0","id":{"a":1},"result":1}"#).idKind == .other)
        #expect(try singleEnvelope(#"{"jsonrpc":"2.0","id":false,"result":1}"#).idKind == .other)
        #expect(try singleEnvelope(#"{"jsonrpc":"2.0","method":"m"}"#).idKind == nil)
    }

    @Test("params, result, error and span ranges are exact")
    func ranges() throws {
        let request = #"  {"jsonrpc":"2.0","id":1,"method":"m","params": {"a":[1,2]} }  "#
        let envelope = try singleEnvelope(request)
        #expect(slice(request, envelope.params) == #"{"a":[1,2]}"#)
        #expect(slice(request, envelope.span) == #"{"jsonrpc":"2.0","id":1,"method":"m","params": {"a":[1,2]} }"#)
        #expect(envelope.hasVersion)
        #expect(!envelope.hasExtraMembers)
        #expect(envelope.result == nil && envelope.error == nil)

        let response = #"{"jsonrpc":"2.0","id":1,"result":"done","x":1}"#
        let scanned = try singleEnvelope(response)
        #expect(slice(response, scanned.result) == #""done""#)
        #expect(scanned.hasExtraMembers)

        let failure = #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}"#
        #expect(slice(failure, try singleEnvelope(failure).error) == #"{"code":-32601,"message":"no"}"#)
    }
}

@Suite("MessageEnvelope: malformed lines")
struct MessageEnvelopeMalformedTests {
    private func malformed(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> MalformedLine? {
        guard case .failure(let malformed) = envelope(line) else {
            Issue.record("\(line) scanned", sourceLocation: sourceLocation)
            return nil
        }
        return malformed
    }

    @Test("blank lines are .empty")
    func blank() {
        #expect(malformed("")?.error.reason == .empty)
        #expect(malformed(" \t\r")?.error.reason == .empty)
        #expect(malformed(" x")?.error.reason != .empty)
    }

    @Test("the id is given when it was read before the fault")
    func idKnown() throws {
        let line = #"{"jsonrpc":"2.0","id":7,"method":"x","params":{"#
        let fault = try #require(malformed(line))
        #expect(slice(line, fault.id) == "7")

        let escaped = #"{"id":"a\u0062","jsonrpc":"2.0","method":"x","params":{"a":1,"a":2}}"#
        #expect(slice(escaped, malformed(escaped)?.id) == #""a\u0062""#)

        let utf8 = bytes(#"{"jsonrpc":"2.0","id":"q","params":{"s":""#) + [0xC0, 0x80] + bytes(#""}}"#)
        guard case .failure(let invalid) = MessageEnvelope.scan(utf8) else {
            Issue.record("invalid UTF-8 scanned")
            return
        }
        #expect(invalid.error.reason == .invalidUTF8)
        #expect(invalid.id.map { text(Array(utf8[$0])) } == #""q""#)
    }

    @Test("messages never take comments or trailing commas", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"ping",}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"ping"} // comment"#,
        #"{"jsonrpc":"2.0",/* c */"id":1,"method":"ping"}"#,
        #"[{"jsonrpc":"2.0","id":1,"method":"ping"},]"#,
        #"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1,]}"#,
    ])
    func noCommentsOrTrailingCommas(line: String) {
        #expect(malformed(line) != nil)
    }

    @Test("the id is nil when the fault comes first", arguments: [
        #"{"jsonrpc":"2.0","method":"x",,"id":7}"#,
        #"{"jsonrpc":"2.0","method":"x","params":{"a":1,"a":2},"id":7}"#,
        #"{"jsonrpc":"2.0","id":"unterminated"#,
        "garbage",
        #"{"jsonrpc":"2.0","id":[1,"#,
    ])
    func idUnknown(line: String) {
        #expect(malformed(line)?.id == nil)
    }

    @Test("a duplicate id gives no id at all", arguments: [
        #"{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"x","\u0069d":2}"#,
        #"{"jsonrpc":"2.0","id":"a","id":"a","method":"x"}"#,
    ])
    func duplicateID(line: String) {
        let fault = malformed(line)
        #expect(fault?.error.reason == .duplicateKey("id"))
        #expect(fault?.id == nil)
    }

    @Test("a number id cut off by the end of the line is not trusted")
    func truncatedNumberID() throws {
        // The line ends inside the id: "12" may be the start of "123", so no id may be claimed.
        for line in [#"{"jsonrpc":"2.0","method":"x","id":12"#, #"{"jsonrpc":"2.0","method":"x","id":-1"#, #"{"id":1.5e1"#] {
            #expect(malformed(line)?.id == nil, "\(line)")
        }
        // A number followed by anything (even whitespace) is complete.
        let complete = #"{"jsonrpc":"2.0","method":"x","id":12 "#
        #expect(slice(complete, malformed(complete)?.id) == "12")
        // A string id is complete once its closing quote is read.
        let string = #"{"jsonrpc":"2.0","method":"x","id":"12""#
        #expect(slice(string, malformed(string)?.id) == #""12""#)
    }

    @Test("a batch that is not valid JSON gives no id (JSON-RPC 2.0, section 6)", arguments: [
        #"[{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method""#,
        #"[{"jsonrpc":"2.0","id":1,"method":"a"} x]"#,
        #"[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":"b","params":{"#,
    ])
    func batchParseError(line: String) {
        #expect(malformed(line)?.id == nil)
    }

    @Test("nesting at the limit is accepted in a message and in a batch; one deeper is rejected")
    func depth() throws {
        let limit = JSONScanner.defaultMaxDepth
        func message(params depth: Int) -> String {
            #"{"jsonrpc":"2.0","id":1,"method":"m","params":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        }
        // The message object itself is one level.
        #expect(try singleEnvelope(message(params: limit - 1)).kind == .request)
        #expect(malformed(message(params: limit))?.error.reason == .tooDeep(limit: limit))
        #expect(slice(message(params: limit), malformed(message(params: limit))?.id) == "1")
        // In a batch the array is one more level.
        guard case .success(.batch(let elements)) = envelope("[" + message(params: limit - 2) + "]") else {
            Issue.record("batch at the limit rejected")
            return
        }
        #expect(elements.first?.kind == .request)
        #expect(malformed("[" + message(params: limit - 1) + "]")?.error.reason == .tooDeep(limit: limit))
        // A custom limit.
        let shallow = bytes(message(params: 2))
        #expect(shallow.withUnsafeBytes { MessageEnvelope.scan($0, maxDepth: 3) }.isSuccess)
        #expect(!shallow.withUnsafeBytes { MessageEnvelope.scan($0, maxDepth: 2) }.isSuccess)
    }

    @Test("every prefix of a message fails, and any id it reports is the real one", arguments: JSONScannerRobustnessTests.messages + [
        #"{"id":"abc","jsonrpc":"2.0","method":"tools/call","params":{"name":"a","arguments":{}}}"#,
        #"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":-0,"method":"ping"}"#,
    ])
    func everyPrefix(message: String) throws {
        let full = bytes(message)
        let realID: [UInt8]?
        switch MessageEnvelope.scan(full) {
        case .success(.single(let envelope)): realID = envelope.id.map { Array(full[$0]) }
        case .success(.batch): realID = nil
        case .failure(let error): Issue.record("the full message failed: \(error)"); return
        }
        for cut in 0..<full.count {
            let prefix = Array(full[..<cut])
            guard case .failure(let fault) = MessageEnvelope.scan(prefix) else {
                Issue.record("prefix of \(cut) bytes scanned")
                continue
            }
            if cut == 0 { #expect(fault.error.reason == .empty) }
            if let id = fault.id {
                #expect(Array(prefix[id]) == realID, "prefix of \(cut) bytes reported id \(text(Array(prefix[id])))")
            }
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
