extension AuditSummary {
    /// A text table: one row per tool, then the totals; denial codes listed in the last column
    /// (`tool_denied:3`, would-be denials as `would:arguments_rejected:1`, codes of outcomes as
    /// `outcome:timeout:2`).
    public var text: String {
        let header = ["SERVER", "TOOL", "ALLOWED", "DENIED", "WOULD_DENY", "COST", "TOKENS", "P50_US", "P99_US", "CODES"]
        var table = [header]
        for row in rows { table.append(cells(row, server: row.server ?? "-", tool: row.tool)) }
        table.append(cells(totals, server: "TOTAL", tool: ""))
        var widths = [Int](repeating: 0, count: header.count)
        for cells in table { for (index, cell) in cells.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var lines = table.map { cells in
            var line = ""
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                line += last ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        let extra = skippedLines > 0 ? ", \(skippedLines) lines skipped (not JSON)" : ""
        lines.append("\(records) records, \(decisions) decisions\(extra)")
        return lines.joined(separator: "\n")
    }

    private func cells(_ row: Row, server: String, tool: String) -> [String] {
        let codes = row.deniedByCode.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
            + row.wouldDenyByCode.sorted { $0.key < $1.key }.map { "would:\($0.key):\($0.value)" }
            + row.outcomeByCode.sorted { $0.key < $1.key }.map { "outcome:\($0.key):\($0.value)" }
        return [
            server, tool, String(row.allowed), String(row.denied), String(row.wouldDeny),
            row.hasCost ? row.cost.text : "-", String(row.tokens),
            row.p50.map(String.init) ?? "-", row.p99.map(String.init) ?? "-", codes.joined(separator: " "),
        ]
    }

    /// The summary as JSON: `{"records", "decisions", "skippedLines", "tools": [row…], "totals": row}`,
    /// a row being `{"server"?, "tool"?, "calls", "allowed", "denied", "deniedByCode", "wouldDeny",
    /// "wouldDenyByCode", "outcomeByCode", "cost" (number or null), "tokens", "p50DurationUs", "p99DurationUs"}`
    /// (durations null when unknown).
    public var json: JSONValue {
        var object = JSONObject()
        object["records"] = .number(String(records))
        object["decisions"] = .number(String(decisions))
        object["skippedLines"] = .number(String(skippedLines))
        object["tools"] = .array(rows.map { json($0, named: true) })
        object["totals"] = json(totals, named: false)
        return .object(object)
    }

    private func json(_ row: Row, named: Bool) -> JSONValue {
        func counts(_ byCode: [String: Int]) -> JSONValue {
            var object = JSONObject()
            for (code, count) in byCode.sorted(by: { $0.key < $1.key }) { object[code] = .number(String(count)) }
            return .object(object)
        }
        func number(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
        var object = JSONObject()
        if named {
            object["server"] = row.server.map(JSONValue.string) ?? .null
            object["tool"] = .string(row.tool)
        }
        object["calls"] = number(row.allowed + row.denied + row.wouldDeny)
        object["allowed"] = number(row.allowed)
        object["denied"] = number(row.denied)
        object["deniedByCode"] = counts(row.deniedByCode)
        object["wouldDeny"] = number(row.wouldDeny)
        object["wouldDenyByCode"] = counts(row.wouldDenyByCode)
        object["outcomeByCode"] = counts(row.outcomeByCode)
        object["cost"] = row.hasCost ? .number(row.cost.text) : .null
        object["tokens"] = number(row.tokens)
        object["p50DurationUs"] = number(row.p50)
        object["p99DurationUs"] = number(row.p99)
        return .object(object)
    }
}
