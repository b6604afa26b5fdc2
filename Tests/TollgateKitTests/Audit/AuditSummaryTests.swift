import Testing
@testable import TollgateKit

@Suite("Audit: summary")
struct AuditSummaryTests {
    static func decision(
        _ tool: String, _ decision: AuditRecord.Decision, code: Denial.Code? = nil, tokens: Int? = nil, durationUs: Int? = nil, cost: String? = nil
    ) -> AuditRecord {
        let denial = code.map { Denial($0, tool: tool, reason: "because") }
        let outcome = durationUs.map { AuditRecord.Outcome(isError: false, bytes: 10, tokens: tokens, durationUs: $0) }
        return AuditRecord.decision(decision, server: "srv", tool: tool, arguments: ["a": 1], argumentsMode: .digest,
                                    denial: denial, outcome: outcome, cost: cost.map(JSONValue.number))
    }

    /// A known log: `read` allowed three times, denied once; `write` denied three times by two codes
    /// and once would-be denied in monitor mode; one lifecycle record.
    static let records: [AuditRecord] = [
        AuditRecord.start(manifestSha256: String(repeating: "a", count: 64)),
        decision("read", .allowed, tokens: 10, durationUs: 100, cost: "0.1"),
        decision("read", .allowed, tokens: 20, durationUs: 300, cost: "0.2"),
        decision("read", .allowed, tokens: 30, durationUs: 200),
        decision("read", .denied, code: .toolDenied),
        decision("write", .denied, code: .argumentsRejected),
        decision("write", .denied, code: .argumentsRejected),
        decision("write", .denied, code: .toolDenied),
        decision("write", .wouldDeny, code: .argumentsRejected, tokens: 5, durationUs: 50),
    ]

    @Test("figures per tool and in total")
    func figures() throws {
        let summary = AuditSummary(records: Self.records.map(\.fields))
        #expect(summary.records == 9)
        #expect(summary.decisions == 8)
        #expect(summary.rows.map(\.tool) == ["read", "write"])
        let read = summary.rows[0], write = summary.rows[1]
        #expect(read.server == "srv")
        #expect(read.allowed == 3 && read.denied == 1 && read.wouldDeny == 0)
        #expect(read.deniedByCode == ["tool_denied": 1])
        #expect(read.cost.text == "0.3" && read.hasCost)
        #expect(read.tokens == 60)
        #expect(read.p50 == 200 && read.p99 == 300)
        #expect(write.allowed == 0 && write.denied == 3 && write.wouldDeny == 1)
        #expect(write.deniedByCode == ["arguments_rejected": 2, "tool_denied": 1])
        #expect(write.wouldDenyByCode == ["arguments_rejected": 1])
        #expect(!write.hasCost)
        #expect(write.tokens == 5 && write.p50 == 50 && write.p99 == 50)
        #expect(summary.totals.allowed == 3 && summary.totals.denied == 4 && summary.totals.wouldDeny == 1)
        #expect(summary.totals.tokens == 65)
        #expect(summary.totals.p50 == 100 && summary.totals.p99 == 300)
    }

    @Test("the text table")
    func table() {
        let summary = AuditSummary(records: Self.records.map(\.fields))
        #expect(summary.text == """
            SERVER  TOOL   ALLOWED  DENIED  WOULD_DENY  COST  TOKENS  P50_US  P99_US  CODES
            srv     read   3        1       0           0.3   60      200     300     tool_denied:1
            srv     write  0        3       1           -     5       50      50      arguments_rejected:2 tool_denied:1 would:arguments_rejected:1
            TOTAL          3        4       1           0.3   65      100     300     arguments_rejected:2 tool_denied:2 would:arguments_rejected:1
            9 records, 8 decisions
            """)
    }

    @Test("the JSON form")
    func jsonForm() throws {
        let summary = AuditSummary(records: Self.records.map(\.fields)).json
        #expect(summary["decisions"] == 8)
        let write = try #require(summary["tools"]?[1])
        #expect(write.jsonText == #"{"server":"srv","tool":"write","calls":4,"allowed":0,"denied":3,"deniedByCode":{"arguments_rejected":2,"tool_denied":1},"wouldDeny":1,"wouldDenyByCode":{"arguments_rejected":1},"outcomeByCode":{},"cost":null,"tokens":5,"p50DurationUs":50,"p99DurationUs":50}"#)
        #expect(summary["totals"]?["cost"] == .number("0.3"))
        #expect(summary["totals"]?["tool"] == nil)
    }

    @Test("outcomes that ended in a denial are counted by their code, apart from the decisions")
    func outcomeCodes() throws {
        func outcome(_ tool: String, code: Denial.Code?) -> AuditRecord {
            AuditRecord.outcome(server: "srv", tool: tool, id: "1", outcome: .init(isError: code != nil, bytes: 10, durationUs: 70, code: code))
        }
        let records = [
            Self.decision("query", .allowed), outcome("query", code: .timeout),
            Self.decision("query", .allowed), outcome("query", code: .resultTooLarge),
            Self.decision("query", .allowed), outcome("query", code: .timeout),
            Self.decision("query", .allowed), outcome("query", code: nil),
        ]
        let summary = AuditSummary(records: records.map(\.fields))
        let query = try #require(summary.rows.first)
        #expect(query.allowed == 4 && query.denied == 0)
        #expect(query.outcomeByCode == ["timeout": 2, "result_too_large": 1])
        #expect(summary.totals.outcomeByCode == ["timeout": 2, "result_too_large": 1])
        #expect(summary.text.contains("outcome:result_too_large:1 outcome:timeout:2"), "\(summary.text)")
        #expect(summary.json["tools"]?[0]?["outcomeByCode"]?.jsonText == #"{"result_too_large":1,"timeout":2}"#)
    }

    @Test("percentiles by nearest rank")
    func percentiles() {
        #expect(AuditSummary.Row.percentile(50, of: Array(1...100)) == 50)
        #expect(AuditSummary.Row.percentile(99, of: Array(1...100).reversed()) == 99)
        #expect(AuditSummary.Row.percentile(99, of: [7]) == 7)
        #expect(AuditSummary.Row.percentile(50, of: []) == nil)
    }

    @Test("summary of log files written by the log, skipping lines that are not JSON")
    func fromFiles() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        try writeAuditLog(path, Self.records)
        auditWriteFile(path, try FileIO.read(path) + bytes("garbage\n"))
        let summary = try AuditSummary.read(files: [path])
        #expect(summary.decisions == 8 && summary.skippedLines == 1)
        #expect(summary.totals.tokens == 65)
        #expect(summary.text.hasSuffix("10 records, 8 decisions, 1 lines skipped (not JSON)"), "the log's file_start record is one more")
    }
}
