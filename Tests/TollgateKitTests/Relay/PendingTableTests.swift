import Testing
@testable import TollgateKit

@Suite("PendingTable")
struct PendingTableTests {
    private func id(_ text: String) -> RequestID {
        let isString = text.first == "\""
        return RequestID(bytes: Array(text.utf8), isString: isString, hasEscapes: isString && text.contains("\\"))
    }

    private func request(_ text: String) -> PendingRequest {
        PendingRequest(clientID: id(text), purpose: .other("m\(text)"))
    }

    @Test("thousands of inserts and removes in random order agree with a dictionary")
    func agreesWithDictionary() {
        var table = PendingTable()
        var model: [String: String] = [:]
        var generator = SplitMix64(seed: 42)
        // Numbers and strings, short (inline) and long (out of line) ids.
        let ids = (0..<3000).map { n -> String in
            switch n % 4 {
            case 0: "\(n)"
            case 1: "\"r\(n)\""
            case 2: "\"a-long-request-id-that-is-kept-out-of-line-\(n)\""
            default: "-\(n)123456789012345678901234567890"
            }
        }
        for _ in 0..<40_000 {
            let text = ids[Int(generator.next() % UInt64(ids.count))]
            if generator.next() % 3 == 0 {
                let removed = table.remove(id(text))
                #expect(removed?.method == model.removeValue(forKey: text))
            } else if model[text] == nil {
                table.insert(request(text))
                model[text] = "m\(text)"
            }
            #expect(table.count == model.count)
        }
        for text in ids { #expect(table.contains(id(text)) == (model[text] != nil)) }
        let rest = table.removeAll()
        #expect(Set(rest.map(\.method)) == Set(model.values))
        #expect(table.count == 0)
    }

    @Test("a string id with escapes matches its re-encoded form")
    func escapedIDs() {
        var table = PendingTable()
        table.insert(request(#""\u0061b""#))
        #expect(table.contains(id(#""ab""#)))
        #expect(table.remove(id(#""ab""#)) != nil)
        #expect(table.count == 0)
    }
}

@Suite("PendingTable: ids a double reader reads alike")
struct PendingTableDoubleTwinTests {
    private func id(_ text: String) -> RequestID {
        RequestID(bytes: Array(text.utf8), isString: text.first == "\"", hasEscapes: false)
    }

    @Test("an exact integer id and an inexact one of the same double value are twins, whichever came first", arguments: [
        ("7", "7.0000000000000001"), ("-12", "-12.000000000000000001"), ("0", "1e-400"), ("999999999999999", "999999999999999.00000001"),
        ("9007199254740992", "9007199254740993"), ("1.5", "1.50000000000000000001"),
    ])
    func twins(first: String, second: String) {
        for (inFlight, arriving) in [(first, second), (second, first)] {
            var table = PendingTable()
            table.insert(PendingRequest(clientID: id(inFlight), purpose: .other("ping")))
            #expect(table.hasDoubleTwin(of: id(arriving)), "\(arriving) while \(inFlight) is in flight")
            _ = table.remove(id(inFlight))
            #expect(!table.hasDoubleTwin(of: id(arriving)), "\(arriving) once \(inFlight) was answered")
        }
    }

    @Test("distinct values and strings are no twins", arguments: [("7", "8"), ("7", "\"7\""), ("7", "7.5"), ("100", "1e3"), ("123456789012345", "123456789012346")])
    func notTwins(first: String, second: String) {
        for (inFlight, arriving) in [(first, second), (second, first)] {
            var table = PendingTable()
            table.insert(PendingRequest(clientID: id(inFlight), purpose: .other("ping")))
            #expect(!table.hasDoubleTwin(of: id(arriving)), "\(arriving) while \(inFlight) is in flight")
        }
    }
}
