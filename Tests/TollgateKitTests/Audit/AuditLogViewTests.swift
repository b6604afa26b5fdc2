import Testing
@testable import TollgateKit

/// Record lines for the review tests: a decision, its outcome, an approval, in the shape the log
/// writes (the view reads JSON; hashes do not matter to it).
enum ReviewLines {
    static func decision(_ tool: String, id: String, run: String = "r1", decision: AuditRecord.Decision = .allowed, code: Denial.Code? = nil,
                         time: String = "2026-12-03T09:00:00.000000Z", agent: String? = nil, arguments: JSONValue = ["n": 1]) -> [UInt8] {
        var record = AuditRecord.decision(decision, server: "srv", tool: tool, id: id, arguments: arguments, argumentsMode: .full,
                                          denial: code.map { Denial($0, tool: tool, rule: "tools.\(tool)", reason: "because") })
        record[AuditRecord.Field.run] = .string(run)
        record[AuditRecord.Field.time] = .string(time)
        record[AuditRecord.Field.agent] = agent.map(JSONValue.string)
        return AuditRecord.canonicalBytes(.object(record.fields))
    }

    static func outcome(_ tool: String, id: String, run: String = "r1", code: Denial.Code? = nil, bytes: Int = 12, durationUs: Int = 4500) -> [UInt8] {
        var record = AuditRecord.outcome(server: "srv", tool: tool, id: id,
                                         outcome: .init(isError: code != nil, bytes: bytes, durationUs: durationUs, code: code))
        record[AuditRecord.Field.run] = .string(run)
        record[AuditRecord.Field.time] = .string("2026-12-03T09:00:01.000000Z")
        return AuditRecord.canonicalBytes(.object(record.fields))
    }

    static func approval(_ tool: String, run: String = "r1", approved: Bool, by: String, arguments: JSONObject = ["n": 1]) -> [UInt8] {
        var record = AuditRecord(event: .approval)
        record[AuditRecord.Field.run] = .string(run)
        record[AuditRecord.Field.tool] = .string(tool)
        record["approved"] = .bool(approved)
        record["by"] = .string(by)
        record["detail"] = .string("/bin/sh: exit 0: fine")
        record[AuditRecord.Field.argumentsSha256] = .string(AuditRecord.argumentsSha256(.object(arguments)))
        return AuditRecord.canonicalBytes(.object(record.fields))
    }
}

@Suite("Audit review: the log view")
struct AuditLogViewTests {
    /// Feeds lines to a view and returns, per line, the ids of the calls it made ready (`+id`
    /// for an outcome shown after its call), then those of ``AuditLogView/finish()``.
    static func feed(_ view: inout AuditLogView, _ lines: [[UInt8]]) -> [String] {
        var shown: [String] = []
        for (index, line) in lines.enumerated() { shown += view.add(line: line, location: "f:\(index + 1)").map(describe) }
        return shown
    }

    static func describe(_ output: AuditLogView.Output) -> String {
        switch output {
        case .call(let entry): "\(entry.decision.record.string("id") ?? "?")\(entry.outcome == nil ? "" : "=\(entry.outcomeCode ?? "ok")")"
        case .outcome(let entry): "+\(entry.decision.record.string("id") ?? "?")=\(entry.outcomeCode ?? "ok")"
        }
    }

    @Test("calls come out in decision order, each joined with its outcome by run and id; a denied call needs none")
    func orderAndJoin() {
        var view = AuditLogView()
        let shown = Self.feed(&view, [
            ReviewLines.decision("a", id: "1"),
            ReviewLines.decision("b", id: "2", decision: .denied, code: .toolDenied),
            ReviewLines.decision("c", id: "1", run: "r2"),
            ReviewLines.outcome("c", id: "1", run: "r2", code: .timeout),
            ReviewLines.outcome("a", id: "1"),
        ])
        // The denied call and r2's call wait behind r1's call 1 until its outcome is read.
        #expect(shown == ["1=ok", "2", "1=timeout"])
        #expect(view.finish().isEmpty)
    }

    @Test("an id used again after its call ended joins the later call; a missing outcome shows at the end")
    func reusedIDs() {
        var view = AuditLogView()
        var shown = Self.feed(&view, [
            ReviewLines.decision("a", id: "7"), ReviewLines.outcome("a", id: "7"),
            ReviewLines.decision("a", id: "7"), ReviewLines.outcome("a", id: "7", code: .resultTooLarge),
            ReviewLines.decision("a", id: "8"),
            ReviewLines.decision("b", id: "9", decision: .denied, code: .toolDenied),
        ])
        #expect(shown == ["7=ok", "7=result_too_large"])
        shown = view.finish().map(Self.describe)
        #expect(shown == ["8", "9"], "the call without an outcome, then the one that waited behind it")
    }

    @Test("following: a call still running is let go after a while and its outcome shown when it comes")
    func releaseAndLateOutcome() {
        var view = AuditLogView()
        #expect(view.add(line: ReviewLines.decision("slow", id: "1"), location: "f:1", readAt: 1000).isEmpty)
        #expect(view.add(line: ReviewLines.decision("b", id: "2", decision: .denied, code: .toolDenied), location: "f:2", readAt: 1100).isEmpty)
        #expect(view.release(readBefore: 1000).isEmpty, "not yet")
        #expect(view.release(readBefore: 2001).map(Self.describe) == ["1", "2"])
        #expect(view.add(line: ReviewLines.outcome("slow", id: "1"), location: "f:3", readAt: 40000).map(Self.describe) == ["+1=ok"])
    }

    @Test("a call let go that did not match yet is shown whole when its outcome makes it match (--denied, a timeout)")
    func lateMatch() {
        var filter = AuditFilter()
        filter.deniedOnly = true
        var view = AuditLogView(filter: filter)
        _ = view.add(line: ReviewLines.decision("slow", id: "1"), location: "f:1", readAt: 0)
        _ = view.add(line: ReviewLines.decision("fast", id: "2"), location: "f:2", readAt: 0)
        #expect(view.release(readBefore: 1).isEmpty, "allowed and running: not shown")
        #expect(view.add(line: ReviewLines.outcome("fast", id: "2"), location: "f:3").isEmpty)
        #expect(view.add(line: ReviewLines.outcome("slow", id: "1", code: .timeout), location: "f:4").map(Self.describe) == ["1=timeout"])
    }

    @Test("no more than holdLimit calls wait behind one whose outcome is missing")
    func holdLimit() {
        var view = AuditLogView(holdLimit: 3)
        var shown = Self.feed(&view, [ReviewLines.decision("lost", id: "0")] + (1...2).map { ReviewLines.decision("d", id: "\($0)", decision: .denied, code: .toolDenied) })
        #expect(shown.isEmpty)
        shown = view.add(line: ReviewLines.decision("d", id: "3", decision: .denied, code: .toolDenied), location: "f:4").map(Self.describe)
        #expect(shown == ["0", "1", "2", "3"])
        #expect(view.add(line: ReviewLines.outcome("lost", id: "0"), location: "f:5").map(Self.describe) == ["+0=ok"])
    }

    @Test("the approval record before a decision of the same run, tool and arguments is joined to it")
    func approvals() throws {
        var view = AuditLogView()
        var outputs = view.add(line: ReviewLines.approval("add", approved: true, by: "command"), location: "f:1")
        outputs += view.add(line: ReviewLines.approval("add", run: "r2", approved: false, by: "timeout"), location: "f:2")
        outputs += view.add(line: ReviewLines.decision("add", id: "1"), location: "f:3")
        outputs += view.add(line: ReviewLines.outcome("add", id: "1"), location: "f:4")
        // r2's approval was for other arguments: not joined.
        outputs += view.add(line: ReviewLines.decision("add", id: "1", run: "r2", decision: .denied, code: .approvalDenied, arguments: ["n": 2]), location: "f:5")
        #expect(outputs.count == 2)
        guard case .call(let approved) = outputs[0], case .call(let refused) = outputs[1] else { throw TestFailure() }
        #expect(approved.approval?.record.string("by") == "command" && approved.outcome != nil)
        #expect(refused.approval == nil)
    }

    @Test("filters: denied (also a denial in place of the answer), codes, a tool glob, the agent, a time range")
    func filters() throws {
        let lines = [
            ReviewLines.decision("read_file", id: "1", time: "2026-12-03T08:00:00.000000Z", agent: "claude-code"),
            ReviewLines.outcome("read_file", id: "1", code: .timeout),
            ReviewLines.decision("read_dir", id: "2", decision: .denied, code: .toolDenied, time: "2026-12-03T09:00:00.000000Z"),
            ReviewLines.decision("write_file", id: "3", decision: .wouldDeny, code: .argumentsRejected, time: "2026-12-03T10:00:00.000000Z",
                                 agent: "ci-bot"),
            ReviewLines.outcome("write_file", id: "3"),
            ReviewLines.decision("read_file", id: "4", time: "2026-12-03T11:00:00.000000Z", agent: "claude-code"),
            ReviewLines.outcome("read_file", id: "4"),
        ]
        func shown(_ change: (inout AuditFilter) throws -> Void) throws -> [String] {
            var filter = AuditFilter()
            try change(&filter)
            var view = AuditLogView(filter: filter)
            return Self.feed(&view, lines) + view.finish().map(Self.describe)
        }
        #expect(try shown { _ in } == ["1=timeout", "2", "3=ok", "4=ok"])
        #expect(try shown { $0.deniedOnly = true } == ["1=timeout", "2", "3=ok"])
        #expect(try shown { $0.codes = [.timeout] } == ["1=timeout"])
        #expect(try shown { $0.codes = [.toolDenied, .argumentsRejected] } == ["2", "3=ok"])
        #expect(try shown { $0.tool = try NameMatcher(pattern: "read_*") } == ["1=timeout", "2", "4=ok"])
        #expect(try shown { $0.tool = try NameMatcher(pattern: "read_file") } == ["1=timeout", "4=ok"])
        #expect(try shown { $0.agent = "claude-code" } == ["1=timeout", "4=ok"])
        #expect(try shown { $0.agent = "claude-cod" }.isEmpty)
        #expect(try shown {
            $0.since = AuditTimestamp(rfc3339: "2026-12-03T09:00:00Z")
            $0.until = AuditTimestamp(rfc3339: "2026-12-03T11:00:00Z")
        } == ["2", "3=ok"])
    }

    @Test("names are compared by bytes: a KELVIN SIGN look-alike is another tool and another agent")
    func lookAlikes() throws {
        let kelvin = "\u{212A}ube"
        var filter = AuditFilter()
        filter.tool = try NameMatcher(pattern: "Kube")
        filter.agent = "K"
        var view = AuditLogView(filter: filter)
        let shown = Self.feed(&view, [
            ReviewLines.decision(kelvin, id: "1", decision: .denied, code: .toolDenied, agent: "K"),
            ReviewLines.decision("Kube", id: "2", decision: .denied, code: .toolDenied, agent: "\u{212A}"),
            ReviewLines.decision("Kube", id: "3", decision: .denied, code: .toolDenied, agent: "K"),
        ])
        #expect(shown == ["3"])
    }

    @Test("lines that are not JSON objects are counted and passed over; other events are ignored")
    func otherLines() {
        var view = AuditLogView()
        let shown = Self.feed(&view, [bytes("not json"), bytes("[1]"), AuditRecord.canonicalBytes(.object(AuditRecord.start(manifestSha256: nil).fields)),
                                      ReviewLines.outcome("ghost", id: "5"), ReviewLines.decision("a", id: "1", decision: .denied, code: .toolDenied)])
        #expect(shown == ["1"] && view.skippedLines == 2)
    }
}
