import Testing
@testable import TollgateKit

@Suite("Audit: records and their canonical form")
struct AuditRecordTests {
    @Test("canonical form sorts members by key at every depth, whatever the insertion order")
    func canonicalOrder() throws {
        let a = try json(#"{"b":[2,{"d":4,"c":3}],"a":1}"#)
        let b = try json(#"{"a":1,"b":[2,{"c":3,"d":4}]}"#)
        #expect(text(AuditRecord.canonicalBytes(a)) == #"{"a":1,"b":[2,{"c":3,"d":4}]}"#)
        #expect(AuditRecord.canonicalBytes(a) == AuditRecord.canonicalBytes(b))
        #expect(AuditRecord.argumentsSha256(a) == "88c3cdf568e74603bc9ea42ed03f42ad6dcf46dbfbb56089d8a163f6b84a0c52")
        var first = AuditRecord(event: .decision)
        first["tool"] = "t"
        first["seq"] = 1
        var second = AuditRecord(["seq": 1, "tool": "t"])
        second["event"] = "decision"
        #expect(first.canonicalBytes == second.canonicalBytes)
    }

    @Test("keys sort by UTF-8 bytes (code points), not by Swift's String ordering; numbers keep their text")
    func canonicalDetails() throws {
        let value = try json(#"{"é":1,"z":2,"Z":3,"a":4,"e\u0301":5,"":6,"aa":7,"n":1.50e3,"s":"q\"\\\n\u0001/é"}"#)
        #expect(text(AuditRecord.canonicalBytes(value))
            == #"{"":6,"Z":3,"a":4,"aa":7,"e\#u{301}":5,"n":1.50e3,"s":"q\"\\\n\u0001/é","z":2,"é":1}"#)
    }

    @Test("the log's sealing (its members merged in as written) gives the bytes of setting them and sealing, keyed or not",
          arguments: [false, true])
    func logSealingMatchesSeal(keyed: Bool) throws {
        let key: [UInt8]? = keyed ? bytes("a key") : nil
        let time = AuditTimestamp(seconds: 1_795_000_000, microseconds: 42)
        let records: [AuditRecord] = [
            .decision(.denied, server: "s", tool: "echo", arguments: try json(#"{"text":"hi","token":"x","n":[1,{"b":2,"a":1}]}"#),
                      argumentsMode: .redacted, denial: Denial(.toolDenied, tool: "echo", rule: "tools.echo", reason: "no"),
                      budgets: ["calls": 3]),
            .outcome(server: nil, tool: "echo", id: "7", outcome: .init(isError: false, bytes: 10, tokens: 3, durationUs: 5)),
            AuditRecord(["time": "2026-01-01T00:00:00.000000Z", "event": "start", "alg": "stale", "hash": "stale", "zz": 1, "": 2]),
        ]
        for record in records {
            var expected = record
            if expected["time"] == nil { expected["time"] = .string(time.rfc3339) }
            expected["seq"] = 5
            expected["run"] = "r"
            expected["prev"] = .string(AuditRecord.genesisHash)
            let (expectedLine, expectedHash) = expected.seal(key: key)
            let (line, hash) = record.sealed(time: time, seq: 5, run: "r", prev: AuditRecord.genesisHash,
                                             authenticator: key.map { HMAC(key: $0) })
            #expect(text(line) == text(expectedLine))
            #expect(hash == expectedHash)
        }
    }

    @Test("a sealed line is the canonical record with hash appended last, and the hash covers everything else")
    func sealing() throws {
        var record = AuditRecord(["tool": "t", "prev": .string(AuditRecord.genesisHash), "seq": 1])
        let (line, hash) = record.seal(key: nil)
        let expectedCanonical = #"{"alg":"sha256","prev":"\#(AuditRecord.genesisHash)","seq":1,"tool":"t"}"#
        #expect(text(line) == String(expectedCanonical.dropLast()) + #","hash":"\#(hash)"}"# + "\n")
        #expect(hash == Hex.encode(SHA256.hash(expectedCanonical)))
        #expect(record.hash == hash)
        #expect(record.canonicalBytes == bytes(expectedCanonical), "hash is left out of the canonical bytes")
        var keyed = AuditRecord(["tool": "t"])
        let (_, keyedHash) = keyed.seal(key: bytes("k"))
        #expect(keyed.string("alg") == "hmac-sha256")
        #expect(keyedHash == Hex.encode(HMAC.authenticationCode(key: bytes("k"), message: keyed.canonicalBytes)))
    }

    @Test("decision records carry the contract's fields")
    func decisionRecord() {
        let denial = Denial(.argumentsRejected, tool: "q", rule: "tools.q", reason: "argument /x must be a string")
        let record = AuditRecord.decision(
            .denied, server: "db", tool: "q", arguments: ["x": 1, "token": "abc"], argumentsMode: .redacted, denial: denial,
            budgets: ["calls": 3], cost: .number("0.25"))
        #expect(record.string("event") == "decision")
        #expect(record.string("decision") == "denied")
        #expect(record.string("code") == "arguments_rejected")
        #expect(record.string("rule") == "tools.q")
        #expect(record["arguments"] == ["x": 1, "token": "[REDACTED]"])
        #expect(record.string("argumentsSha256") == AuditRecord.argumentsSha256(["x": 1, "token": "abc"]))
        #expect(record["budgets"] == ["calls": 3])
        #expect(record["cost"] == .number("0.25"))
        let digest = AuditRecord.decision(.allowed, server: nil, tool: "q", arguments: ["a": 1], argumentsMode: .digest,
                                          outcome: .init(isError: true, bytes: 10, tokens: 3, durationUs: 99))
        #expect(digest["arguments"] == nil)
        #expect(digest["argumentsSha256"] != nil)
        #expect(digest["server"] == nil)
        #expect(digest["outcome"] == ["isError": true, "bytes": 10, "tokens": 3, "durationUs": 99])
    }

    @Test("timestamps are RFC 3339 UTC with six fraction digits", arguments: [
        (Int64(0), Int32(0), "1970-01-01T00:00:00.000000Z"),
        (1_795_458_600, 123_456, "2026-11-23T18:30:00.123456Z"),
        (1_709_164_800, 1, "2024-02-29T00:00:00.000001Z"),
        (4_107_542_399, 999_999, "2100-02-28T23:59:59.999999Z"),
        (951_782_400, 0, "2000-02-29T00:00:00.000000Z"),
        (-1, 500_000, "1969-12-31T23:59:59.500000Z"),
        (253_402_300_799, 0, "9999-12-31T23:59:59.000000Z"),
    ] as [(Int64, Int32, String)])
    func timestamps(seconds: Int64, micros: Int32, expected: String) {
        #expect(AuditTimestamp(seconds: seconds, microseconds: micros).rfc3339 == expected)
    }

    @Test("the current time and run ids have the documented shapes")
    func nowAndRunID() {
        let now = AuditTimestamp.now().rfc3339
        #expect(now.count == 27 && now.hasSuffix("Z") && now.hasPrefix("20"))
        let run = AuditRunID.random()
        #expect(Hex.isLowercase(run, count: 32))
        #expect(run != AuditRunID.random())
    }

    @Test("TOLLGATE_AUDIT_KEY is hex when it is 32+ hex digits, else its text")
    func keys() {
        let hex = String(repeating: "ab", count: 16)
        #expect(AuditKey.parse(hex) == [UInt8](repeating: 0xab, count: 16))
        #expect(AuditKey.parse("deadbeef") == bytes("deadbeef"), "short hex is text")
        #expect(AuditKey.parse("correct horse battery staple") == bytes("correct horse battery staple"))
        #expect(AuditKey.parse("") == nil)
        #expect(AuditKey.fromEnvironment(["TOLLGATE_AUDIT_KEY": "k"]) == bytes("k"))
        #expect(AuditKey.fromEnvironment([:]) == nil)
    }

    @Test("amounts add exactly in billionths")
    func amounts() {
        let sum = ["0.1", "0.2", "1e-3", "2", "0.0000000015"].compactMap(AuditAmount.init).reduce(.zero, +)
        #expect(sum.text == "2.301000002")
        #expect(AuditAmount("-0.5")?.text == "-0.5")
        #expect(AuditAmount("12")?.text == "12")
        #expect(AuditAmount("x") == nil)
        #expect(AuditAmount("1e300") == nil)
    }
}
