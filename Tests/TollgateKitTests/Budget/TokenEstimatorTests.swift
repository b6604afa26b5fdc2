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

    @Test("results: text items, images and audio by fixed amounts, resources, unknown items")
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
        #expect(estimate.text == 2 * hello + link, "the link counts as its JSON text")
        #expect(estimate.structured == 0)
        #expect(estimate.tokens == estimate.text + estimate.media)
    }

    @Test("structuredContent counts once: not again when a text item mirrors it")
    func structured() throws {
        let mirrored = try json(#"""
        {"content":[{"type":"text","text":"{\"rows\": [1, 2, 3], \"total\": 3}"}],
         "structuredContent":{"rows":[1,2,3],"total":3}}
        """#).objectValue!
        let alone = try json(#"""
        {"content":[{"type":"text","text":"done"}],
         "structuredContent":{"rows":[1,2,3],"total":3}}
        """#).objectValue!
        #expect(TokenEstimator.estimate(result: mirrored).structured == 0)
        let estimate = TokenEstimator.estimate(result: alone)
        #expect(estimate.structured >= 7, "at least bytes / 4 of {\"rows\":[1,2,3],\"total\":3}")
        #expect(TokenEstimator.estimate(resultJSON: bytes(#"{"content":[{"type":"text","text":"Hello, world!"}]}"#)).tokens == 4)
    }
}
