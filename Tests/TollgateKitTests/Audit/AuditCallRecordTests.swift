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
                        for server in [nil, "git \"main\""] as [String?] {
                            for decision in AuditRecord.Decision.allCases {
                                let fixed = AuditCallRecord.decision(decision, server: server, tool: "echo", id: "7", arguments: arguments,
                                                                     argumentsMode: mode, denial: denial, budgets: budgets)
                                let generic = AuditRecord.decision(decision, server: server, tool: "echo", id: "7", arguments: .object(arguments),
                                                                   argumentsMode: mode, denial: denial, budgets: budgets)
                                expectSameLine(fixed, generic, "\(mode) \(decision) denial \(denial?.code.rawValue ?? "-") server \(server ?? "-")")
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
            for server in [nil, "time"] as [String?] {
                for isError in [false, true] {
                    for code in [nil, .timeout, .resultTooLarge, .serverUnavailable] as [Denial.Code?] {
                        let outcome = AuditRecord.Outcome(isError: isError, bytes: 1234, tokens: tokens, durationUs: 987_654, code: code)
                        expectSameLine(AuditCallRecord.outcome(server: server, tool: "get_time", id: #""a\"b""#, outcome: outcome),
                                       AuditRecord.outcome(server: server, tool: "get_time", id: #""a\"b""#, outcome: outcome),
                                       "tokens \(tokens.map(String.init) ?? "-") server \(server ?? "-") isError \(isError) code \(code?.rawValue ?? "-")")
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
}
