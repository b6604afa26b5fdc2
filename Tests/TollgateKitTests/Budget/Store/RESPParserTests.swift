import Testing
@testable import TollgateKit

/// RESP2 replies read from bytes, whole or cut anywhere, and what is refused.
@Suite("RESP2 parser")
struct RESPParserTests {
    private func parse(_ text: String) throws -> RESPParser.Outcome {
        try RESPParser.parse(Array(text.utf8), at: 0)
    }

    @Test("each reply type, null bulk and null array, nested arrays")
    func types() throws {
        #expect(try parse("+OK\r\n") == .reply(.simple(Array("OK".utf8)), end: 5))
        #expect(try parse("-NOSCRIPT No matching script\r\n") == .reply(.error(Array("NOSCRIPT No matching script".utf8)), end: 30))
        #expect(try parse(":-42\r\n") == .reply(.integer(-42), end: 6))
        #expect(try parse("$5\r\nhe\r\no\r\n") == .reply(.bulk(Array("he\r\no".utf8)), end: 11))
        #expect(try parse("$0\r\n\r\n") == .reply(.bulk([]), end: 6))
        #expect(try parse("$-1\r\n") == .reply(.bulk(nil), end: 5))
        #expect(try parse("*-1\r\n") == .reply(.array(nil), end: 5))
        let nested = try parse("*2\r\n:1\r\n*2\r\n$1\r\na\r\n+b\r\n")
        #expect(nested == .reply(.array([.integer(1), .array([.bulk([0x61]), .simple([0x62])])]), end: 23))
        let error = RESPValue.error(Array("NOSCRIPT No matching script".utf8))
        #expect(error.isError(code: "NOSCRIPT") && !error.isError(code: "NOSCRIP"))
        #expect(RESPValue.bulk(Array("-17".utf8)).integer == -17)
    }

    @Test("a reply cut at every byte is incomplete, and asks for no fewer bytes than it lacks")
    func cut() throws {
        let whole = Array("*3\r\n$3\r\nfoo\r\n:12\r\n*1\r\n$4\r\nbarz\r\n".utf8)
        for length in 0..<whole.count {
            guard case .incomplete(let needed) = try RESPParser.parse(Array(whole[..<length]), at: 0) else {
                Issue.record("a prefix of \(length) bytes parsed as a reply")
                continue
            }
            #expect(needed > length && needed <= whole.count, "prefix \(length): needs \(needed)")
        }
        guard case .reply(_, let end) = try RESPParser.parse(whole + Array("+next\r\n".utf8), at: 0) else { Issue.record("whole"); return }
        #expect(end == whole.count)
    }

    @Test("malformed bytes are refused: unknown type, bad lengths, CR without LF, too deep, too long")
    func malformed() {
        for bad in ["!x\r\n", ":12a\r\n", "$-2\r\n", "$3\r\nabcd\r\n", "*-5\r\n", "+a\rb\r\n", ":99999999999999999999\r\n",
                    "$\(RESPParser.maxBulkBytes + 1)\r\n", String(repeating: "*1\r\n", count: RESPParser.maxDepth + 1) + ":1\r\n"] {
            #expect(throws: RESPParser.Malformed.self, "\(bad.debugDescription)") { try parse(bad) }
        }
        #expect(throws: RESPParser.Malformed.self) { try parse("+" + String(repeating: "a", count: RESPParser.maxLineBytes + 2)) }
    }

    @Test("commands are arrays of bulk strings, appended for one pipelined write")
    func commands() {
        var commands = RESPCommand(["SET", "k", "é"])
        commands.begin(count: 2)
        commands.add("INCRBY".utf8)
        commands.add(-7)
        #expect(commands.count == 2)
        #expect(String(decoding: commands.bytes, as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n*2\r\n$6\r\nINCRBY\r\n$2\r\n-7\r\n")
    }
}
