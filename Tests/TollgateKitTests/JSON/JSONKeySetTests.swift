import Testing
@testable import TollgateKit

#if canImport(Glibc)
import Glibc
#endif

/// Duplicate keys in objects of many members: a seeded hash of the decoded key, so keys crafted
/// to share a cheap fingerprint (length, first and last bytes) cost no more than any others, and
/// a check by sorting when a table works too hard.
@Suite("JSONScanner: many keys")
struct JSONKeySetTests {
    /// `count` keys of one length that share their first and last eight bytes and differ in the
    /// middle (what defeated a fingerprint of length and ends).
    static func craftedKeys(_ count: Int) -> [String] {
        (0..<count).map { number in
            let digits = String(number)
            return "AAAAAAAA" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + "ZZZZZZZZ"
        }
    }

    static func object(_ keys: [String]) -> String {
        "{" + keys.map { #""\#($0)":0"# }.joined(separator: ",") + "}"
    }

    /// Seconds `body` takes (monotonic clock).
    static func seconds(_ body: () -> Void) -> Double {
        var start = timespec()
        var stop = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        body()
        clock_gettime(CLOCK_MONOTONIC, &stop)
        return Double(stop.tv_sec - start.tv_sec) + Double(stop.tv_nsec - start.tv_nsec) / 1e9
    }

    @Test("60,000 crafted keys (same length, same first and last 8 bytes) are checked quickly by every reader")
    func craftedKeysAreLinear() throws {
        let keys = Self.craftedKeys(60_000)
        let arguments = Self.object(keys)
        let message = bytes(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":"# + arguments + "}}")
        let envelope = bytes(#"{"jsonrpc":"2.0","id":1,"method":"x","# + String(arguments.dropFirst()))
        print("crafted message: \(message.count) bytes")
        #expect(message.count > 1_700_000)
        var results: [String: Double] = [:]
        results["walker"] = Self.seconds { #expect(scanError(bytes(arguments)) == nil) }
        results["tree"] = Self.seconds { #expect(parseError(bytes(arguments)) == nil) }
        results["envelope members"] = Self.seconds {
            guard case .success(.single(let scanned)) = MessageEnvelope.scan(envelope) else {
                Issue.record("the envelope with 60,000 extra members was not read")
                return
            }
            #expect(scanned.hasExtraMembers)
        }
        results["tools/call"] = Self.seconds {
            let read = message.withUnsafeBytes { ClientLine.read($0) }
            guard case .single(.toolCall(let call)) = read else {
                Issue.record("the call was not read: \(read)")
                return
            }
            #expect(call.arguments.count == keys.count)
        }
        for (reader, time) in results.sorted(by: { $0.key < $1.key }) {
            print("60,000 crafted keys, \(reader): \(Int(time * 1000)) ms")
            // The real figure is printed; the bound is generous for a shared machine.
            #expect(time < 5, "\(reader) took \(time) s")
        }
    }

    @Test("a duplicate among 60,000 crafted keys is still found, at the repeated key")
    func duplicateAmongCraftedKeys() {
        var keys = Self.craftedKeys(60_000)
        keys.append(keys[31_337])
        let document = Self.object(keys)
        let offset = document.utf8.count - keys[31_337].utf8.count - 5
        #expect(scanError(document) == JSONScanError(.duplicateKey(keys[31_337]), at: offset))
        #expect(parseError(bytes(document)) == JSONScanError(.duplicateKey(keys[31_337]), at: offset))
    }

    /// The key tokens of the object `document`, as the scanner reads them.
    private func keyTokens(_ document: [UInt8], _ body: (JSONScanner, [JSONScanner.StringToken]) throws(JSONScanError) -> Void) throws {
        try document.withUnsafeBytes { buffer in
            var scanner = JSONScanner(buffer)
            var tokens: [JSONScanner.StringToken] = []
            // Read keys one by one without the scanner's own duplicate check: a flat object of numbers.
            try scanner.expect(UInt8(ascii: "{"))
            while try scanner.peekSignificant() == UInt8(ascii: "\"") {
                tokens.append(try scanner.scanString())
                try scanner.expect(UInt8(ascii: ":"))
                try scanner.skipValue(depth: 1)
                if try scanner.peekSignificant() == UInt8(ascii: ",") { scanner.position += 1 }
            }
            try body(scanner, tokens)
        }
    }

    /// The error of checking `document`'s keys by sorting only (as after crafted collisions).
    private func sortingCheck(_ document: String) throws -> JSONScanError? {
        var found: JSONScanError?
        try keyTokens(bytes(document)) { scanner, tokens throws(JSONScanError) in
            var set = JSONScanner.KeySet(checksBySorting: true)
            for token in tokens { try set.insert(token, at: token.content.lowerBound - 1, scanner: scanner) }
            do throws(JSONScanError) {
                try set.finish(scanner: scanner)
            } catch {
                found = error
            }
        }
        return found
    }

    @Test("checked by sorting: the earliest repeated key is reported, at its offset")
    func sortingFindsEarliestDuplicate() throws {
        #expect(try sortingCheck(#"{"b":0,"a":0,"c":0,"a":0,"b":0}"#) == JSONScanError(.duplicateKey("a"), at: 19))
        #expect(try sortingCheck(#"{"b":0,"a":0,"b":0,"a":0,"a":0}"#) == JSONScanError(.duplicateKey("b"), at: 13))
        #expect(try sortingCheck(#"{"x":0,"y":0,"z":0}"#) == nil)
        #expect(try sortingCheck(Self.object(Self.craftedKeys(5000))) == nil)
    }

    @Test("checked by sorting: keys are compared after decoding escapes, and by exact bytes", arguments: [
        (#"{"a":0,"\u0061":0}"#, "a"), (#"{"\u00e9":0,"é":0}"#, "é"), (#"{"😀":0,"\ud83d\ude00":0}"#, "😀"),
        (#"{"ab":0,"a":0,"a\u0062":0}"#, "ab"),
    ])
    func sortingDecodesEscapes(document: String, key: String) throws {
        #expect(try sortingCheck(document)?.reason == .duplicateKey(key))
    }

    @Test("checked by sorting: prefixes, canonically equivalent and empty keys are distinct", arguments: [
        #"{"a":0,"ab":0,"abc":0}"#, #"{"é":0,"e\u0301":0}"#, #"{"":0,"\u0000":0}"#, #"{"Kelvin":0,"\u212Aelvin":0}"#,
    ])
    func sortingKeepsDistinctKeys(document: String) throws {
        #expect(try sortingCheck(document) == nil)
    }
}
