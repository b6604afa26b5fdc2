/// How `tollgate audit log` writes a call: one line of text, or one JSON object per line.
///
/// A line of text: the local time of the decision, the decision, `[agent] server/tool` (the agent
/// when the record names one) with a short preview of the arguments (redacted again, whatever the log kept), then for a denial its code,
/// rule and reason, for a call approved by a person who approved it, and for a forwarded call
/// `->` and its outcome (`ok`, `error`, or the code of the denial the client got in its place),
/// the response's size and how long it took:
///
/// ```
/// 2026-12-03 15:04:05.301  denied      time/get_current_time {"timezone":"../../../etc/passwd"}  arguments_rejected (tools.get_current_time): argument /timezone must match …
/// 2026-12-03 15:04:06.012  allowed     fixture/sleep {"ms":10000}  -> timeout, 501 ms
/// ```
///
/// Everything taken from the log is shown with control and bidirectional-formatting characters
/// escaped (`\u{1B}`), so a record cannot drive the terminal. Colours (ANSI) only when asked.
public struct AuditLogFormat: Sendable {
    /// Whether to colour the decision, the code and the outcome.
    public var colors: Bool
    /// The longest argument preview, in characters.
    public var previewLength: Int

    public init(colors: Bool = false, previewLength: Int = 60) {
        self.colors = colors
        self.previewLength = previewLength
    }

    /// The text line of an output (without a newline).
    public func text(_ output: AuditLogView.Output) -> String {
        switch output {
        case .call(let entry):
            var parts = [paint(time(of: entry.decision.record), .dim), pad(entry.decided?.rawValue ?? "?", color(of: entry.decided)),
                         call(entry)]
            if entry.decided != .allowed { parts.append(denial(entry)) }
            if let approval = entry.approval, approval.record["approved"] == .bool(true) {
                let by = Self.printable(approval.record.string("by") ?? "?")
                let detail = approval.record.string("detail").map { " (\(Self.printable($0)))" } ?? ""
                parts.append("approved by \(by)\(detail)")
            }
            if entry.decided != .denied { parts.append(outcome(entry)) }
            return parts.joined(separator: "  ")
        case .outcome(let entry):
            let record = entry.outcome?.record ?? entry.decision.record
            return [paint(time(of: record), .dim), pad("outcome"), call(entry, withArguments: false), outcome(entry)].joined(separator: "  ")
        }
    }

    /// The JSON line of an output (without a newline): `{"location", "decision", "approval"?,
    /// "outcome"?}` with each record exactly as its line in the log; an outcome shown after its
    /// call adds `"update": true` (the same call again, now with its outcome).
    public func json(_ output: AuditLogView.Output) -> [UInt8] {
        let (entry, update) = switch output {
        case .call(let entry): (entry, false)
        case .outcome(let entry): (entry, true)
        }
        var writer = JSONWriter(capacity: 64 + entry.decision.line.count + (entry.outcome?.line.count ?? 0))
        writer.append(#"{"location":"#)
        writer.write(string: entry.location)
        writer.append(#","decision":"#)
        writer.write(raw: entry.decision.line)
        if let approval = entry.approval {
            writer.append(#","approval":"#)
            writer.write(raw: approval.line)
        }
        if let outcome = entry.outcome {
            writer.append(#","outcome":"#)
            writer.write(raw: outcome.line)
        }
        if update { writer.append(#","update":true"#) }
        writer.append("}")
        return writer.bytes
    }

    // MARK: - Parts

    /// The record's time on the local clock, or its text as written when it is not RFC 3339.
    private func time(of record: AuditRecord) -> String {
        guard let text = record.string(AuditRecord.Field.time) else { return "-" }
        return AuditTimestamp(rfc3339: text).map(LocalTime.text) ?? Self.printable(text)
    }

    /// `[agent] server/tool` and the argument preview. Behind several servers the records name
    /// them all (`a,b`) and the tool's name carries its server's prefix: then the tool alone.
    private func call(_ entry: AuditLogEntry, withArguments: Bool = true) -> String {
        let agent = entry.agent.map { "[\(Self.printable($0))] " } ?? ""
        let server = entry.server.flatMap { $0.utf8.contains(UInt8(ascii: ",")) ? nil : "\(Self.printable($0))/" } ?? ""
        let name = agent + server
        guard withArguments else { return name + Self.printable(entry.tool) }
        return name + Self.printable(entry.tool) + " " + preview(entry.decision.record)
    }

    /// The arguments, redacted and cut to ``previewLength`` characters; their digest when the log
    /// kept only that.
    func preview(_ record: AuditRecord) -> String {
        guard let arguments = record[AuditRecord.Field.arguments] else {
            let digest = record.string(AuditRecord.Field.argumentsSha256).map { "sha256 \(String($0.prefix(12)))…" } ?? "none"
            return "(arguments: \(Self.printable(digest)))"
        }
        let text = String(decoding: AuditRecord.canonicalBytes(AuditRedaction.redact(arguments)), as: UTF8.self)
        var scalars = text.unicodeScalars.prefix(previewLength + 1)
        if scalars.count > previewLength {
            scalars = scalars.prefix(previewLength - 1)
            return Self.printable(String(String.UnicodeScalarView(scalars))) + "…"
        }
        return Self.printable(text)
    }

    /// `code (rule): reason`.
    private func denial(_ entry: AuditLogEntry) -> String {
        let code = paint(Self.printable(entry.code ?? "?"), entry.decided == .denied ? .red : .yellow)
        let rule = entry.decision.record.string(AuditRecord.Field.rule).map { " (\(Self.printable($0)))" } ?? ""
        let reason = entry.decision.record.string(AuditRecord.Field.reason).map { ": " + Self.printable($0) } ?? ""
        return code + rule + reason
    }

    /// `-> ok, 312 B, 45 ms`; `-> timeout, 501 ms`; `-> no outcome yet`.
    private func outcome(_ entry: AuditLogEntry) -> String {
        guard let record = entry.outcome?.record else { return "-> no outcome yet" }
        let figures = record[AuditRecord.Field.outcome]
        let bytes = figures?["bytes"].flatMap(Self.integer) ?? 0
        let duration = figures?["durationUs"].flatMap(Self.integer).map(Self.duration)
        let status: String
        if let code = record.string(AuditRecord.Field.code) {
            status = paint(Self.printable(code), .red)
        } else if figures?["isError"] == .bool(true) {
            status = paint("error", .yellow)
        } else {
            status = "ok"
        }
        let size = bytes > 0 || record.string(AuditRecord.Field.code) == nil ? [Self.size(bytes)] : []
        return "-> " + ([status] + size + (duration.map { [$0] } ?? [])).joined(separator: ", ")
    }

    // MARK: - Helpers

    private enum Color: String {
        case red = "31", green = "32", yellow = "33", dim = "2"
    }

    private func color(of decision: AuditRecord.Decision?) -> Color {
        switch decision {
        case .allowed: .green
        case .wouldDeny: .yellow
        case .denied, nil: .red
        }
    }

    private func paint(_ text: String, _ color: Color) -> String {
        colors ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The decision (painted) padded to the width of the longest (`would_deny`).
    private func pad(_ text: String, _ color: Color? = nil) -> String {
        let painted = color.map { paint(text, $0) } ?? text
        return text.count >= 10 ? painted : painted + String(repeating: " ", count: 10 - text.count)
    }

    private static func integer(_ value: JSONValue) -> Int? {
        if case .number(let text) = value { return Int(text) }
        return nil
    }

    /// `312 B`, `10.5 kB`, `1.2 MB`.
    static func size(_ bytes: Int) -> String {
        if bytes < 10_000 { return "\(bytes) B" }
        if bytes < 10_000_000 { return oneDecimal(bytes, per: 1000) + " kB" }
        return oneDecimal(bytes, per: 1_000_000) + " MB"
    }

    /// `0.4 ms`, `45 ms`, `31.2 s`.
    static func duration(_ microseconds: Int) -> String {
        if microseconds < 10_000 { return oneDecimal(microseconds, per: 1000) + " ms" }
        if microseconds < 10_000_000 { return "\((microseconds + 500) / 1000) ms" }
        return oneDecimal(microseconds, per: 1_000_000) + " s"
    }

    /// `value / unit` rounded to one decimal.
    private static func oneDecimal(_ value: Int, per unit: Int) -> String {
        let tenths = (value * 10 + unit / 2) / unit
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `text` with every control character (C0, DEL, C1), bidirectional formatting character and
    /// line or paragraph separator written as `\u{XX}`: safe to write to a terminal.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
