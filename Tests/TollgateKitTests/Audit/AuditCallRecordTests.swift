import Testing
@testable import TollgateKit

@Suite("Audit: a call's decision and outcome records in their fixed shape")
struct AuditCallRecordTests {
    static let time = AuditTimestamp(seconds: 1_795_000_000, microseconds: 123_456)
    static let prev = Hex.encode(SHA256.hash("the record before"))

    /// Both forms sealed by the log's rules, keyed or not: the lines must be the same bytes.
    private func expectSameLine(_ fixed: AuditCallRecord, _ generic: AuditRecord, _ what: String) {
        for key in [nil, bytes("k3y")] as [[UInt8]?] {
            let authenticator = key.map { HMAC(key: $0) }
            let a = fixed.sealed(time: Self.time, seq: 12, run: "0123456789abcdef0123456789abcdef", prev: Self.prev, authenticator: authenticator)
            let b = generic.sealed(time: Self.time, seq: 12, run: "0123456789abcdef0123456789abcdef", prev: Self.prev, authenticator: authenticator)
            #expect(text(a.line) == text(b.line), "\(what), keyed: \(key != nil)")
            #expect(a.hash == b.hash)
        }
    }

    @Test("decision records: the bytes of the generic record, for every mode, with and without denial, rule, budgets and server")
    func decisions() throws {
        // With secrets (redaction rewrites them) and without (the record keeps the canonical bytes it has).
        let withSecrets = try #require(try json(#"{"text":"hi \"there\"\n","token":"sk-live-0123456789abcdefghij","nested":{"z":[1,2.50,null],"a":true},"é":"x"}"#).objectValue)
        let clean = try #require(try json(#"{"text":"hi \"there\"\n","nested":{"z":[1,2.50,null],"a":true,"b":["q"]},"é":"x","n":-0.0}"#).objectValue)
        #expect(!AuditRedaction.findsNothing(in: withSecrets) && AuditRedaction.findsNothing(in: clean))
        for arguments in [withSecrets, clean] {
            let denials: [Denial?] = [
                nil,
                Denial(.argumentsRejected, tool: "echo", rule: "tools.echo", reason: "argument /text must be \"short\""),
                Denial(.unknownTool, tool: "echo", rule: nil, reason: "no rule"),
            ]
            for mode in AuditRedaction.Mode.allCases {
                for denial in denials {
                    for budgets in [nil, ["calls": 3, "cost": .number("0.25")]] as [JSONObject?] {
                        for (server, agent) in [(nil, nil), ("git \"main\"", nil), (nil, "claude \"code\""), ("git", "a")] as [(String?, String?)] {
                            for decision in AuditRecord.Decision.allCases {
                                let fixed = AuditCallRecord.decision(decision, agent: agent, server: server, tool: "echo", id: "7", arguments: arguments,
                                                                     argumentsMode: mode, denial: denial, budgets: budgets)
                                let generic = AuditRecord.decision(decision, agent: agent, server: server, tool: "echo", id: "7",
                                                                   arguments: .object(arguments), argumentsMode: mode, denial: denial, budgets: budgets)
                                expectSameLine(fixed, generic, "\(mode) \(decision) denial \(denial?.code.rawValue ?? "-") server \(server ?? "-") agent \(agent ?? "-")")
                            }
                        }
                    }
                }
            }
        }
        let empty = AuditCallRecord.decision(.allowed, server: "s", tool: "t", id: "\"x\"", arguments: [:], argumentsMode: .redacted, denial: nil, budgets: nil)
        expectSameLine(empty, AuditRecord.decision(.allowed, server: "s", tool: "t", id: "\"x\"", arguments: .object([:]), argumentsMode: .redacted), "no arguments")
    }

    @Test("outcome records: the bytes of the generic record, with and without tokens, server and code")
    func outcomes() throws {
        for tokens in [nil, 0, 4096] as [Int?] {
            for (server, agent) in [(nil, nil), ("time", nil), (nil, "mcp"), ("time", "agent\n1")] as [(String?, String?)] {
                for isError in [false, true] {
                    for code in [nil, .timeout, .resultTooLarge, .serverUnavailable] as [Denial.Code?] {
                        let outcome = AuditRecord.Outcome(isError: isError, bytes: 1234, tokens: tokens, durationUs: 987_654, code: code)
                        expectSameLine(AuditCallRecord.outcome(agent: agent, server: server, tool: "get_time", id: #""a\"b""#, outcome: outcome),
                                       AuditRecord.outcome(agent: agent, server: server, tool: "get_time", id: #""a\"b""#, outcome: outcome),
                                       "tokens \(tokens.map(String.init) ?? "-") server \(server ?? "-") agent \(agent ?? "-") isError \(isError) code \(code?.rawValue ?? "-")")
                    }
                }
            }
        }
        let timedOut = AuditRecord.Outcome(isError: true, bytes: 0, durationUs: 500_000, code: .timeout)
        let line = AuditCallRecord.outcome(server: nil, tool: "sleep", id: "3", outcome: timedOut)
            .sealed(time: Self.time, seq: 1, run: "0123456789abcdef0123456789abcdef", prev: Self.prev, authenticator: nil).line
        let record = try json(Array(line.dropLast()))
        #expect(record["code"] == "timeout" && record["outcome"]?["code"] == nil, "the code is the record's, beside the outcome: \(text(line))")
    }

    @Test("records sealed one after another into one buffer (as a group's write is): each line the generic record's, chained on the one before")
    func sealedIntoOneBuffer() throws {
        let arguments = try [
            #"{"text":"naïve 😀 \u0000\u001f \"q\" \\ / \t","n":123456789012345678901234567890,"f":1.5e400,"z":-0.0}"#,
            #"{"password":"hunter2","url":"https://u:p@example.com/?token=sk-live-0123456789abcdefghij","list":[{"Authorization":"Bearer abcdefghijklmnop0123"}]}"#,
            #"{"KELVIN\u212a":"K","é":"e\u0301","":null}"#,
        ].map { try #require(try json($0).objectValue) }
        for key in [nil, bytes("k3y")] as [[UInt8]?] {
            let authenticator = key.map { HMAC(key: $0) }
            var lines = bytes("already in the buffer\n")
            var expected = lines
            var prev = Array(Self.prev.utf8)
            var hash = Self.prev
            for (index, object) in arguments.enumerated() {
                for mode in AuditRedaction.Mode.allCases {
                    let seq = 100 + index * 10 + expected.count % 7
                    let denial = index == 1 ? Denial(.argumentsRejected, tool: "écho", rule: "tools.*", reason: "no \"secrets\"") : nil
                    let budgets: JSONObject? = index == 2 ? ["budgets.calls": .number("99999999999999999999"), "tools.é.budget.cost": .number("0.000001")] : nil
                    let fixed = AuditCallRecord.decision(.allowed, agent: "agent \u{212A}", server: "srv", tool: "écho", id: "\"\(index)\"", arguments: object,
                                                         argumentsMode: mode, denial: denial, budgets: budgets)
                    var generic = AuditRecord.decision(.allowed, agent: "agent \u{212A}", server: "srv", tool: "écho", id: "\"\(index)\"", arguments: .object(object),
                                                       argumentsMode: mode, denial: denial, budgets: budgets)
                    fixed.seal(into: &lines, time: Self.time, seq: seq, run: "0123456789abcdef0123456789abcdef", prev: &prev, authenticator: authenticator)
                    generic[AuditRecord.Field.time] = .string(Self.time.rfc3339)
                    generic[AuditRecord.Field.seq] = .number(String(seq))
                    generic[AuditRecord.Field.run] = .string("0123456789abcdef0123456789abcdef")
                    generic[AuditRecord.Field.prev] = .string(hash)
                    let sealed = generic.seal(key: key)
                    expected += sealed.line
                    hash = sealed.hash
                    #expect(text(lines) == text(expected), "\(mode), record \(index), keyed: \(key != nil)")
                    #expect(text(prev) == hash)
                }
            }
            let outcome = AuditRecord.Outcome(isError: true, bytes: Int.max, tokens: 0, durationUs: 1, code: .timeout)
            AuditCallRecord.outcome(server: "srv", tool: "t", id: "1", outcome: outcome)
                .seal(into: &lines, time: Self.time, seq: 1, run: "r", prev: &prev, authenticator: authenticator)
            var generic = AuditRecord.outcome(server: "srv", tool: "t", id: "1", outcome: outcome)
            generic[AuditRecord.Field.time] = .string(Self.time.rfc3339)
            generic[AuditRecord.Field.seq] = .number("1")
            generic[AuditRecord.Field.run] = .string("r")
            generic[AuditRecord.Field.prev] = .string(hash)
            let sealed = generic.seal(key: key)
            #expect(text(lines) == text(expected + sealed.line) && text(prev) == sealed.hash)
        }
    }

    @Test("a digest written in place is the one returned, for SHA-256 and HMAC, at every length around the block")
    func digestInPlace() {
        for count in [0, 1, 55, 56, 63, 64, 65, 119, 120, 200] {
            let message = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var hasher = SHA256()
            hasher.update(message)
            var authenticator = HMAC(key: bytes("key"))
            authenticator.update(message)
            var digest = [UInt8](repeating: 0, count: 40)
            var code = [UInt8](repeating: 0, count: 32)
            let copy = hasher, keyed = authenticator
            digest.withUnsafeMutableBytes { copy.finalize(into: $0) }
            code.withUnsafeMutableBytes { keyed.finalize(into: $0) }
            #expect(Array(digest.prefix(32)) == SHA256.hash(message) && digest.suffix(8).allSatisfy { $0 == 0 }, "\(count)")
            #expect(code == HMAC.authenticationCode(key: bytes("key"), message: message), "\(count)")
        }
    }

    @Test("a trail records the agent in every call record once it is known, its name cut at 200 bytes on a character")
    func agentName() {
        #expect(AuditTrail.bounded("claude-code") == "claude-code")
        let long = String(repeating: "é", count: 150)
        #expect(AuditTrail.bounded(long) == String(repeating: "é", count: 100))
        #expect(AuditTrail.bounded(String(repeating: "a", count: 199) + "é").utf8.count == 199)
    }
}
