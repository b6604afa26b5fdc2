import Testing
@testable import TollgateKit

@Suite("Audit review: the line format")
struct AuditLogFormatTests {
    /// The outputs of a view fed `lines` and finished.
    static func outputs(_ lines: [[UInt8]]) -> [AuditLogView.Output] {
        var view = AuditLogView()
        var outputs: [AuditLogView.Output] = []
        for (index, line) in lines.enumerated() { outputs += view.add(line: line, location: "audit.log:\(index + 1)") }
        return outputs + view.finish()
    }

    /// The text of each output with the local time cut off (the tests run in any time zone).
    static func texts(_ lines: [[UInt8]], colors: Bool = false) -> [String] {
        outputs(lines).map { String(AuditLogFormat(colors: colors).text($0).dropFirst(25)) }
    }

    @Test("a line per call: decision, server/tool and arguments, then the denial, the approval, the outcome")
    func lines() {
        let texts = Self.texts([
            ReviewLines.decision("read_file", id: "1", arguments: ["path": "/srv/a.txt", "token": "hunter2"]),
            ReviewLines.outcome("read_file", id: "1", bytes: 312, durationUs: 45_200),
            ReviewLines.decision("delete", id: "2", decision: .denied, code: .toolDenied),
            ReviewLines.decision("write", id: "3", decision: .wouldDeny, code: .argumentsRejected),
            ReviewLines.outcome("write", id: "3", bytes: 0, durationUs: 900),
            ReviewLines.decision("sleep", id: "4"),
            ReviewLines.outcome("sleep", id: "4", code: .timeout, bytes: 0, durationUs: 30_512_000),
            ReviewLines.decision("big", id: "5"),
            ReviewLines.outcome("big", id: "5", code: .resultTooLarge, bytes: 10_485_760, durationUs: 12_000),
            ReviewLines.approval("add", approved: true, by: "command"),
            ReviewLines.decision("add", id: "6"),
            ReviewLines.decision("lost", id: "7"),
            ReviewLines.decision("t", id: "8", decision: .denied, code: .toolDenied, agent: "claude-code"),
        ])
        #expect(texts == [
            #"allowed     srv/read_file {"path":"/srv/a.txt","token":"[REDACTED]"}  -> ok, 312 B, 45 ms"#,
            #"denied      srv/delete {"n":1}  tool_denied (tools.delete): because"#,
            #"would_deny  srv/write {"n":1}  arguments_rejected (tools.write): because  -> ok, 0 B, 0.9 ms"#,
            #"allowed     srv/sleep {"n":1}  -> timeout, 30.5 s"#,
            #"allowed     srv/big {"n":1}  -> result_too_large, 10.5 MB, 12 ms"#,
            #"allowed     srv/add {"n":1}  approved by command (/bin/sh: exit 0: fine)  -> no outcome yet"#,
            #"allowed     srv/lost {"n":1}  -> no outcome yet"#,
            #"denied      [claude-code] srv/t {"n":1}  tool_denied (tools.t): because"#,
        ])
    }

    @Test("the local time of the decision comes first, to the millisecond")
    func time() {
        let output = Self.outputs([ReviewLines.decision("x", id: "1", decision: .denied, code: .toolDenied, time: "2026-12-03T09:00:00.123456Z")])
        let text = AuditLogFormat().text(output[0])
        let timestamp = AuditTimestamp(seconds: AuditTimestamp(rfc3339: "2026-12-03T09:00:00Z")!.seconds, microseconds: 123_456)
        #expect(text.hasPrefix(LocalTime.text(timestamp) + "  denied"), "\(text)")
        #expect(LocalTime.text(timestamp).hasSuffix(":00.123"))
    }

    @Test("the argument preview is redacted again, cut to its length, and the digest shown when the log kept only that")
    func preview() {
        let format = AuditLogFormat(previewLength: 20)
        var record = AuditRecord.decision(.allowed, server: nil, tool: "t", arguments: ["text": .string(String(repeating: "é", count: 40))],
                                          argumentsMode: .full)
        #expect(format.preview(record) == #"{"text":"éééééééééé…"#)
        #expect(format.preview(record).unicodeScalars.count == 20)
        record = AuditRecord.decision(.allowed, server: nil, tool: "t", arguments: ["password": "x", "note": "sk-live-0123456789abcdef"], argumentsMode: .full)
        #expect(AuditLogFormat().preview(record) == #"{"note":"[REDACTED]","password":"[REDACTED]"}"#)
        record = AuditRecord.decision(.allowed, server: nil, tool: "t", arguments: ["a": 1], argumentsMode: .digest)
        #expect(AuditLogFormat().preview(record) == "(arguments: sha256 \(AuditRecord.argumentsSha256(["a": 1]).prefix(12))…)")
    }

    @Test("control and bidirectional characters from the log never reach the terminal")
    func printable() {
        #expect(AuditLogFormat.printable("plain: é 漢字") == "plain: é 漢字")
        #expect(AuditLogFormat.printable("\u{1B}[2J\u{07}x\u{9B}1m\u{202E}evil\u{2066}\n") == #"\u{1B}[2J\u{7}x\u{9B}1m\u{202E}evil\u{2066}\u{A}"#)
        let texts = Self.texts([ReviewLines.decision("t\u{1B}]0;owned\u{07}", id: "1", decision: .denied, code: .toolDenied,
                                                     arguments: ["x": "\u{1B}[31m\u{202E}"])])
        #expect(texts == [#"denied      srv/t\u{1B}]0;owned\u{7} {"x":"\u001b[31m\u{202E}"}  tool_denied (tools.t\u{1B}]0;owned\u{7}): because"#], "\(texts)")
    }

    @Test("colours only when asked: the decision, the code, an outcome that is not ok")
    func colours() {
        let lines = [ReviewLines.decision("d", id: "1", decision: .denied, code: .toolDenied),
                     ReviewLines.decision("s", id: "2"), ReviewLines.outcome("s", id: "2", code: .timeout, bytes: 0, durationUs: 500_000)]
        #expect(Self.texts(lines).allSatisfy { !$0.contains("\u{1B}") })
        let coloured = Self.outputs(lines).map { AuditLogFormat(colors: true).text($0) }
        #expect(coloured[0].hasPrefix("\u{1B}[2m") && coloured[0].dropFirst(27).hasPrefix("\u{1B}[0m  "), "\(coloured[0].debugDescription)")
        #expect(coloured[0].hasSuffix("  \u{1B}[31mdenied\u{1B}[0m      srv/d {\"n\":1}  \u{1B}[31mtool_denied\u{1B}[0m (tools.d): because"),
                "\(coloured[0].debugDescription)")
        #expect(coloured[1].contains("  \u{1B}[32mallowed\u{1B}[0m     srv/s"), "\(coloured[1].debugDescription)")
        #expect(coloured[1].hasSuffix("-> \u{1B}[31mtimeout\u{1B}[0m, 500 ms"), "\(coloured[1].debugDescription)")
    }

    @Test("JSON: the records exactly as the log wrote them, the location, and the update flag for a late outcome")
    func json() throws {
        let lines = [ReviewLines.approval("add", approved: true, by: "command"), ReviewLines.decision("add", id: "1"), ReviewLines.outcome("add", id: "1")]
        let outputs = Self.outputs(lines)
        let text = AuditLogFormat().json(outputs[0])
        #expect(text == bytes(#"{"location":"audit.log:2","decision":"#) + lines[1] + bytes(#","approval":"#) + lines[0]
                + bytes(#","outcome":"#) + lines[2] + bytes("}"))
        let parsed = try JSONValue.parse(text)
        let decision = try JSONValue.parse(lines[1])
        #expect(parsed["decision"] == decision)

        var view = AuditLogView()
        _ = view.add(line: lines[1], location: "audit.log:2", readAt: 0)
        _ = view.release(readBefore: 1)
        let late = view.add(line: lines[2], location: "audit.log:3")
        let update = try JSONValue.parse(AuditLogFormat().json(late[0]))
        let outcome = try JSONValue.parse(lines[2])
        #expect(update["update"] == .bool(true) && update["outcome"] == outcome)
        #expect(String(AuditLogFormat().text(late[0]).dropFirst(25)) == "outcome     srv/add  -> ok, 12 B, 4.5 ms")
    }

    @Test("sizes and durations read at a glance")
    func figures() {
        #expect(AuditLogFormat.size(0) == "0 B" && AuditLogFormat.size(9999) == "9999 B" && AuditLogFormat.size(10_500) == "10.5 kB")
        #expect(AuditLogFormat.size(12_345_678) == "12.3 MB")
        #expect(AuditLogFormat.duration(0) == "0.0 ms" && AuditLogFormat.duration(450) == "0.5 ms" && AuditLogFormat.duration(9_940) == "9.9 ms")
        #expect(AuditLogFormat.duration(45_200) == "45 ms" && AuditLogFormat.duration(9_999_000) == "9999 ms" && AuditLogFormat.duration(31_240_000) == "31.2 s")
    }
}
