import Testing
@testable import TollgateKit

@Suite("Budget: ledger records")
struct BudgetLedgerRecordTests {
    @Test("CRC-32C of the standard check string")
    func checksum() {
        #expect(LedgerChecksum.crc32c(bytes("123456789")) == 0xE306_9283)
        #expect(LedgerChecksum.crc32c([]) == 0)
        #expect(LedgerChecksum.hex(0xE306_9283) == bytes("e3069283"))
    }

    @Test("a spend record round-trips: names with escapes, exact cost, negative amounts")
    func roundTrip() throws {
        let event = SpendEvent(time: epoch2026 + 1, tool: "we\"ird\\tool\n", rules: ["git_*", "*"],
                               amount: BudgetUsage(calls: -1, cost: CostUnits(micros: -250_001), resultTokens: 7, samplingTokens: 0))
        let record = LedgerRecord(.release, event: event, pid: 42)
        let line = record.line()
        #expect(line.last == 0x0A)
        #expect(line.dropLast().allSatisfy { $0 != 0x0A }, "one line")
        let decoded = try #require(line.dropLast().withUnsafeBytes { LedgerRecord.decode($0) })
        #expect(decoded.kind == .release)
        #expect(decoded.event == event)
        #expect(text(line).contains(#""cost":-0.250001"#))
        #expect(!text(line).contains("samplingTokens"), "zero amounts are left out")
    }

    @Test("the exact text of a reserve record")
    func format() throws {
        let event = SpendEvent(time: 1_767_225_600_000, tool: "git_log", rules: ["git_*"], amount: BudgetUsage(calls: 1, cost: try cost("0.5")))
        let line = text(LedgerRecord(.reserve, event: event, pid: 4242).line())
        let json = #"{"k":"reserve","t":1767225600000,"tool":"git_log","rules":["git_*"],"calls":1,"cost":0.5,"pid":4242}"#
        let crc = text(LedgerChecksum.hex(LedgerChecksum.crc32c(bytes(json))))
        #expect(line == "\(crc) \(json)\n")
        let header = text(LedgerRecord(marker: .header, time: 5).line())
        #expect(header.hasSuffix(#" {"k":"header","version":2,"t":5}"# + "\n"))
    }

    @Test("records appended one after another to a group's buffer: each exactly its line, each read back")
    func appendedLines() throws {
        let records = [
            LedgerRecord(marker: .header, time: 5),
            LedgerRecord(.reserve, event: SpendEvent(time: 1_767_225_600_000, tool: "git_log", rules: ["git_*"], amount: BudgetUsage(calls: 1, cost: try cost("0.5"))), pid: 4242),
            LedgerRecord(.release, event: SpendEvent(time: -1, tool: "naïve \"tool\"\n😀", rules: ["a\\b", "K\u{212A}"], amount: BudgetUsage(calls: -1, cost: CostUnits(micros: -12_000_001)),
                                                     spendScopes: ["global", "agent:x", "workflow:\u{0}"]), pid: Int32.max),
            LedgerRecord(.samplingSettle, event: SpendEvent(time: Int64.max, tool: nil, amount: BudgetUsage(samplingTokens: Int64.min + 1))),
            LedgerRecord(marker: .compacted, time: 0),
        ]
        var buffer = bytes("whatever came before\n")
        var expected = buffer
        for record in records {
            record.appendLine(to: &buffer)
            expected += record.line()
            #expect(buffer == expected)
            let line = Array(record.line().dropLast())
            let decoded = line.withUnsafeBytes { LedgerRecord.decode($0) }
            #expect(decoded?.kind == record.kind && decoded?.time == record.time && decoded?.event == record.event && decoded?.version == record.version)
        }
        #expect(text(records[1].line()).hasSuffix(#" {"k":"reserve","t":1767225600000,"tool":"git_log","rules":["git_*"],"calls":1,"cost":0.5,"pid":4242}"# + "\n"))
    }

    @Test("any damage is refused: a torn line, a flipped byte, a wrong checksum, not a record")
    func damage() {
        let line = Array(LedgerRecord(.reserve, event: SpendEvent(time: 1, tool: "a", amount: BudgetUsage(calls: 1))).line().dropLast())
        func decodes(_ candidate: [UInt8]) -> Bool { candidate.withUnsafeBytes { LedgerRecord.decode($0) } != nil }
        #expect(decodes(line))
        for cut in 0..<line.count { #expect(!decodes(Array(line[..<cut])), "torn at \(cut)") }
        for index in line.indices {
            var flipped = line
            flipped[index] ^= 0x01
            #expect(!decodes(flipped), "flip at \(index)")
        }
        #expect(!decodes(bytes("00000000 {}")))
        #expect(!decodes([UInt8](repeating: 0, count: 64)), "a run of zeros (power loss) is not a record")
        let json = bytes(#"{"k":"reserve","t":1,"calls":"x"}"#)
        #expect(!decodes(LedgerChecksum.hex(LedgerChecksum.crc32c(json)) + [0x20] + json), "a checked line of the wrong shape")
    }
}
