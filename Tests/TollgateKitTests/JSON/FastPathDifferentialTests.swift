import Testing
@testable import TollgateKit

/// The fast paths (the plain envelope read and the fast container walk) against the exact walker,
/// their reference: over generated messages, valid and broken, both give the same result, and
/// for a broken one the same error at the same byte.
@Suite("JSONScanner: fast paths agree with the exact walker")
struct FastPathDifferentialTests {
    @Test("generated messages, valid and broken, scan alike with and without the fast paths", arguments: 0..<8)
    func envelopes(seed: UInt64) {
        var generator = MessageGenerator(seed: 0xFA57 &+ seed)
        var accepted = 0
        for _ in 0..<3000 {
            let line = generator.line()
            let maxDepth = generator.maxDepth()
            let fast = line.withUnsafeBytes { MessageEnvelope.scan($0, maxDepth: maxDepth, usingFastPaths: true) }
            let exact = line.withUnsafeBytes { MessageEnvelope.scan($0, maxDepth: maxDepth, usingFastPaths: false) }
            #expect(fast == exact, "\(String(decoding: line, as: UTF8.self)) (maxDepth \(maxDepth))")
            if fast != exact { return }
            if case .success = exact { accepted += 1 }
        }
        // The generator must exercise both outcomes, or the comparison proves little.
        #expect(accepted > 300 && accepted < 2700, "accepted \(accepted) of 3000")
    }

    @Test("generated documents validate alike with and without the fast container walk", arguments: 0..<4)
    func documents(seed: UInt64) {
        var generator = MessageGenerator(seed: 0xD0C &+ seed)
        for _ in 0..<3000 {
            let line = generator.document()
            let maxDepth = generator.maxDepth()
            func validate(_ fast: Bool) -> JSONScanError? {
                line.withUnsafeBytes { bytes in
                    var scanner = JSONScanner(bytes, maxDepth: maxDepth)
                    scanner.usesFastPath = fast
                    do throws(JSONScanError) { try scanner.validateDocument() } catch { return error }
                    return nil
                }
            }
            let fast = validate(true), exact = validate(false)
            #expect(fast == exact, "\(String(decoding: line, as: UTF8.self)) (maxDepth \(maxDepth))")
            if fast != exact { return }
        }
    }

    @Test("the envelope's members are recognized by their words, and near misses are not",
          arguments: ["id", "method", "jsonrpc", "params", "result", "error", "ids", "i", "methoD", "jsonrpC", "param", "errors", "resultx"])
    func memberWords(key: String) {
        let line = Array(#"{"\#(key)":"2.0"}"#.utf8)
        let fast = line.withUnsafeBytes { MessageEnvelope.scan($0, maxDepth: 128, usingFastPaths: true) }
        let exact = line.withUnsafeBytes { MessageEnvelope.scan($0, maxDepth: 128, usingFastPaths: false) }
        #expect(fast == exact)
    }

    @Test("plain messages are read on the fast path")
    func plainMessagesTakeTheFastPath() {
        for text in [#"{"jsonrpc":"2.0","id":123,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"#,
                     #" {"jsonrpc": "2.0", "id": "a\"b", "result": {"content": [{"type": "text", "text": "é"}], "isError": false}} "#,
                     #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1.5e3,"total":null},"x":true}"#] {
            let envelope = Array(text.utf8).withUnsafeBytes { JSONScanner($0).plainEnvelope() }
            #expect(envelope != nil, "\(text)")
        }
    }
}

/// Generates JSON-RPC messages and JSON documents from a small vocabulary, so that duplicate keys
/// (also after escapes), odd numbers, escapes, UTF-8 faults and deep nesting come up often; a
/// share of them is then broken by a random edit.
struct MessageGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private static let keys = [#""a""#, #""b""#, #""id""#, #""\u0061""#, #""é""#, #""\u00e9""#, #""abcdefghij""#,
                               #""abcdefghik""#, #""abcdefgh""#, #""""#, #""name""#, #""a\nb""#, #""k1""#, #""k2""#]
    private static let strings = [#""""#, #""hello""#, #""a\"b""#, #""\\""#, #""\u0041\n""#, #""\ud83d\ude00""#, #""\ud800""#,
                                  #""\udc00x""#, #""é€😀""#, "\"\u{1}\"", "\"\\x\"", #""tools/call""#, #""2.0""#,
                                  #""a long plain string of some forty bytes..""#, "\"\u{7F}\""]
    private static let scalars = ["0", "-0", "123", "-17", "1.5", "2e10", "1E+2", "3.25e-4", "01", "1.", "-", ".5", "1e",
                                  "true", "false", "null", "tru", "nul", "falsy", "99999999999999999999"]
    private static let spaces = ["", "", "", " ", "\n", "\t ", "\r\n"]
    private static let envelopeKeys = [#""jsonrpc""#, #""id""#, #""method""#, #""params""#, #""result""#, #""error""#,
                                       #""extra""#, #""\u0069d""#, #""jsonrpc""#]
    private static let edits: [UInt8] = Array("{}[]\",:\\ 0-eu".utf8) + [0x80, 0xC3, 0xFF, 0x01]

    mutating func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    mutating func maxDepth() -> Int { pick([1, 2, 3, 4, 6, 128, 128, 128, 128]) }

    mutating func space() -> String { pick(Self.spaces) }

    mutating func value(_ depth: Int) -> String {
        let roll = random.next() % 10
        if depth > 0 && roll < 2 {
            let count = Int(random.next() % 4)
            return "{" + (0..<count).map { _ in space() + pick(Self.keys) + space() + ":" + space() + value(depth - 1) }.joined(separator: ",") + space() + "}"
        }
        if depth > 0 && roll < 3 {
            let count = Int(random.next() % 4)
            return "[" + (0..<count).map { _ in space() + value(depth - 1) }.joined(separator: ",") + space() + "]"
        }
        if depth > 0 && roll < 4 && chance(20) {
            // Deep nesting, past small limits and the fast path's own.
            let levels = pick([3, 5, 63, 64, 65, 130])
            return String(repeating: "[", count: levels) + value(0) + String(repeating: "]", count: levels)
        }
        return roll < 7 ? pick(Self.strings) : pick(Self.scalars)
    }

    mutating func message() -> String {
        let count = Int(random.next() % 6) + 1
        var members: [String] = []
        for _ in 0..<count {
            let key = pick(Self.envelopeKeys)
            let member: String
            switch key {
            case #""jsonrpc""#: member = chance(85) ? #""2.0""# : value(1)
            case #""method""#: member = chance(80) ? pick([#""tools/call""#, #""ping""#, #""tools\/call""#, #""x/é""#]) : value(1)
            case #""id""#, #""\u0069d""#: member = chance(80) ? pick(["1", "-7", #""abc""#, #""a\"b""#, "null", "1.5"]) : value(1)
            default: member = value(4)
            }
            members.append(space() + key + space() + ":" + space() + member)
        }
        return space() + "{" + members.joined(separator: ",") + space() + "}" + space()
    }

    mutating func document() -> [UInt8] { edited(Array(value(5).utf8)) }

    mutating func line() -> [UInt8] {
        if chance(5) { return edited(Array(("[" + message() + "," + message() + "]").utf8)) }
        return edited(Array(message().utf8))
    }

    /// One random edit in a third of the cases: a byte deleted, inserted or replaced, or the end cut off.
    mutating func edited(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty, chance(33) else { return bytes }
        var bytes = bytes
        let at = Int(random.next() % UInt64(bytes.count))
        switch random.next() % 4 {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(pick(Self.edits), at: at)
        case 2: bytes[at] = pick(Self.edits)
        default: bytes.removeSubrange(at...)
        }
        return bytes
    }
}
