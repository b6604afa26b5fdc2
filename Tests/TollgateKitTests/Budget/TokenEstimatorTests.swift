import Testing
@testable import TollgateKit

@Suite("Budget: token estimator")
struct BudgetTokenEstimatorTests {
    /// Samples with their token counts under cl100k_base / o200k_base (measured with a BPE
    /// implementation of those vocabularies), and the range the estimate must fall in:
    /// never below 80% of the smaller count, never above 135% of the larger.
    static let samples: [(name: String, text: String, cl100k: Int64, o200k: Int64)] = [
        ("prose", "Tollgate starts the real server as its child and relays MCP both ways, byte for byte, while it inspects every call at the moment of action. The agent runs unchanged: only the command in its config changes.", 46, 46),
        ("json", #"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"3 rows"}],"isError":false,"_meta":{"elapsed_ms":12}}}"#, 39, 41),
        ("code", "func take(now: Int64) -> Result {\n    let result = check(now: now)\n    if result == .allowed {\n        units = level(at: now) - rate.intervalMs\n    }\n    return result\n}\n", 46, 46),
        ("chinese", "人工智能是计算机科学的一个分支，它企图了解智能的实质。", 30, 19),
        ("numbers", "12,345,678.90 3.14159 2026-01-01 404 500 1000000", 27, 27),
        ("base64", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", 54, 53),
        ("emoji", "Deployed 🚀 all tests green ✅ — party time 🎉🎉", 19, 15),
    ]

    @Test("text estimates stay near real tokenizers", arguments: samples.map(\.name))
    func text(name: String) throws {
        let sample = try #require(Self.samples.first { $0.name == name })
        let estimate = TokenEstimator.estimate(text: sample.text)
        let low = min(sample.cl100k, sample.o200k) * 8 / 10
        let high = max(sample.cl100k, sample.o200k) * 135 / 100
        #expect(estimate >= low && estimate <= high, "\(name): \(estimate) not in \(low)...\(high)")
        #expect(estimate >= Int64((sample.text.utf8.count + 3) / 4), "bytes / 4 is a floor")
    }

    @Test("the floor: bytes / 4, rounded up; empty text is free")
    func floor() {
        #expect(TokenEstimator.estimate(text: "") == 0)
        #expect(TokenEstimator.estimate(text: "a") == 1)
        #expect(TokenEstimator.estimate(text: String(repeating: "abcd ", count: 100)) >= 125)
        #expect(TokenEstimator.estimate(text: String(repeating: " ", count: 400)) == 100)
    }

    @Test("results: text items, images and audio, resources with what describes them, links and unknown items")
    func results() throws {
        let result = try json(#"""
        {"content":[
          {"type":"text","text":"Hello, world!"},
          {"type":"image","data":"iVBORw0KGgo=","mimeType":"image/png"},
          {"type":"audio","data":"UklGRg==","mimeType":"audio/wav"},
          {"type":"resource","resource":{"uri":"file:///a.txt","text":"Hello, world!"}},
          {"type":"resource","resource":{"uri":"file:///b.bin","blob":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
          {"type":"resource_link","uri":"file:///c.txt","name":"c"}
        ]}
        """#).objectValue!
        let estimate = TokenEstimator.estimate(result: result)
        let hello = TokenEstimator.estimate(text: "Hello, world!")
        #expect(hello == 4)
        #expect(estimate.media == TokenEstimator.imageTokens + TokenEstimator.audioTokens + 10)
        let link = TokenEstimator.estimate(text: #"{"type":"resource_link","uri":"file:///c.txt","name":"c"}"#)
        let uris = TokenEstimator.estimate(text: #"{"uri":"file:///a.txt"}"#) + TokenEstimator.estimate(text: #"{"uri":"file:///b.bin"}"#)
        #expect(estimate.text == 2 * hello + uris + link, "resources count their uri; the link counts as its JSON text")
        #expect(estimate.structured == 0)
        #expect(estimate.tokens == estimate.text + estimate.media)
    }

    @Test("structuredContent counts once when a text item carries exactly it")
    func structured() throws {
        let mirrored = try json(#"""
        {"content":[{"type":"text","text":"{\"total\": 3, \"rows\": [1, 2, 3]}"}],
         "structuredContent":{"rows":[1,2,3],"total":3}}
        """#).objectValue!
        let alone = try json(#"""
        {"content":[{"type":"text","text":"done"}],
         "structuredContent":{"rows":[1,2,3],"total":3}}
        """#).objectValue!
        #expect(TokenEstimator.estimate(result: mirrored).structured == 0, "the pretty text is the larger of the two")
        let estimate = TokenEstimator.estimate(result: alone)
        #expect(estimate.structured >= 7, "at least bytes / 4 of {\"rows\":[1,2,3],\"total\":3}")
        #expect(TokenEstimator.estimate(resultJSON: bytes(#"{"content":[{"type":"text","text":"Hello, world!"}]}"#)).tokens == 4)
    }

    /// Results of every content kind, each with the texts a model reads of it (or the tokens of
    /// the media it sees).
    static let kinds: [(name: String, result: String, reads: [String], mediaTokens: Int64)] = {
        let words = String(repeating: "word ", count: 400)
        let base64 = String(repeating: "QUJD", count: 5_000)
        let meta = #"{"uri":"file:///srv/reports/2026/quarterly-summary-with-a-long-name.txt","mimeType":"text/plain","_meta":{"origin":"archive"}}"#
        let other = #"{"summary":"\#(String(repeating: "figures and tables ", count: 30))","rows":[\#(Array(repeating: "123456", count: 60).joined(separator: ","))]}"#
        let note = #"{"note": "\#(String(repeating: "see the structured content ", count: 25))"}"#
        return [
            ("text", #"{"content":[{"type":"text","text":"\#(words)"}]}"#, [words], 0),
            ("image", #"{"content":[{"type":"image","data":"\#(base64)","mimeType":"image/png"}]}"#, [], TokenEstimator.imageTokens),
            ("short audio", #"{"content":[{"type":"audio","data":"UklGRg==","mimeType":"audio/wav"}]}"#, [], TokenEstimator.audioTokens),
            ("long audio", #"{"content":[{"type":"audio","data":"\#(String(repeating: base64, count: 20))","mimeType":"audio/ogg"}]}"#, [], 6_400),
            ("text resource", #"{"content":[{"type":"resource","resource":{"uri":"file:///a.txt","mimeType":"text/plain","text":"\#(words)"}}]}"#,
             [words, #"{"uri":"file:///a.txt","mimeType":"text/plain"}"#], 0),
            ("binary resource", #"{"content":[{"type":"resource","resource":{"uri":"file:///a.bin","mimeType":"application/zip","blob":"\#(base64)"}}]}"#,
             [base64, #"{"uri":"file:///a.bin","mimeType":"application/zip"}"#], 0),
            ("image resource", #"{"content":[{"type":"resource","resource":{"uri":"file:///a.png","mimeType":"image/png","blob":"\#(base64)"}}]}"#,
             [#"{"uri":"file:///a.png","mimeType":"image/png"}"#], TokenEstimator.imageTokens),
            // Counted as nothing before: neither text nor blob.
            ("resource without contents", #"{"content":[{"type":"resource","resource":\#(meta)}]}"#, [meta], 0),
            ("resource link", #"{"content":[{"type":"resource_link","uri":"file:///src/main.rs","name":"main.rs","description":"\#(words)"}]}"#,
             [#"{"type":"resource_link","uri":"file:///src/main.rs","name":"main.rs","description":"\#(words)"}"#], 0),
            ("unknown kind", #"{"content":[{"type":"hologram","frames":"\#(words)"}]}"#, [#"{"type":"hologram","frames":"\#(words)"}"#], 0),
            ("malformed text item", #"{"content":[{"type":"text","body":"\#(words)"}]}"#, [#"{"type":"text","body":"\#(words)"}"#], 0),
            ("structured alone", #"{"content":[],"structuredContent":\#(other)}"#, [other], 0),
            // Skipped before: a JSON-looking text item between half and twice its size, with
            // other contents. A client may show either, or both.
            ("structured beside other JSON text", #"{"content":[{"type":"text","text":\#(JSONValue.string(note).jsonText)}],"structuredContent":\#(other)}"#,
             [note, other], 0),
        ]
    }()

    @Test("every content kind counts at least a quarter of the bytes the model reads", arguments: kinds.map(\.name))
    func neverUndercounts(kind: String) throws {
        let sample = try #require(Self.kinds.first { $0.name == kind })
        let estimate = TokenEstimator.estimate(result: try json(sample.result).objectValue!)
        let bytes = sample.reads.reduce(0) { $0 + $1.utf8.count }
        #expect(estimate.tokens * 4 >= Int64(bytes) + sample.mediaTokens * 4, "\(kind): \(estimate) for \(bytes) bytes and \(sample.mediaTokens) media tokens")
    }

    @Test("a text item that carries structuredContent: whichever of the two the client shows is covered")
    func mirroredStructure() throws {
        let structure = #"{"rows":[\#(Array(repeating: #"{"id":12345,"name":"alpha beta"}"#, count: 40).joined(separator: ","))]}"#
        var writer = JSONWriter()
        writer.writePretty(try json(structure))
        let pretty = String(decoding: writer.bytes, as: UTF8.self)
        for text in [structure, pretty, #"{"rows":[]}"#] {
            let result = try json(#"{"content":[{"type":"text","text":\#(JSONValue.string(text).jsonText)}],"structuredContent":\#(structure)}"#).objectValue!
            let estimate = TokenEstimator.estimate(result: result)
            #expect(estimate.tokens >= TokenEstimator.estimate(text: text), "the text item")
            #expect(estimate.tokens >= TokenEstimator.estimate(text: structure), "structuredContent")
            #expect(estimate.tokens * 4 >= Int64(Swift.max(text.utf8.count, structure.utf8.count)))
        }
        let exact = try json(#"{"content":[{"type":"text","text":\#(JSONValue.string(structure).jsonText)}],"structuredContent":\#(structure)}"#).objectValue!
        #expect(TokenEstimator.estimate(result: exact).tokens == TokenEstimator.estimate(text: structure), "counted once")
    }
}
