extension AuditReplay {
    /// The report as text: the counts, then each change and each call not judged.
    public var text: String {
        var lines: [String] = []
        let count: (Kind) -> Int = { kind in changes.filter { $0.kind == kind }.count }
        lines.append("replayed \(calls) recorded call\(calls == 1 ? "" : "s") under \(manifest.file) (sha256 \(manifest.sha256.prefix(12))…)")
        lines.append("  unchanged:          \(unchanged)")
        lines.append("  allowed -> denied:  \(count(.allowedToDenied))")
        lines.append("  denied -> allowed:  \(count(.deniedToAllowed))")
        lines.append("  denied differently: \(count(.deniedDifferently))")
        lines.append("  needs approval:     \(count(.needsApproval))")
        lines.append("  not judged:         \(unjudged.count)")
        for kind in Kind.allCases {
            let matching = changes.filter { $0.kind == kind }
            guard !matching.isEmpty else { continue }
            lines.append("")
            lines.append(Self.title(of: kind) + ":")
            for change in matching {
                var line = "  \(change.location) \(change.tool): was \(change.recorded)"
                if let denial = change.denial {
                    line += "; now \(denial.code.rawValue) by \(denial.rule ?? "-"): \(denial.reason)"
                }
                lines.append(line)
            }
        }
        if !unjudged.isEmpty {
            lines.append("")
            lines.append("not judged:")
            for entry in unjudged { lines.append("  \(entry.location) \(entry.tool): \(entry.why)") }
        }
        if skippedLines > 0 { lines.append("\(skippedLines) line\(skippedLines == 1 ? "" : "s") skipped (not JSON)") }
        lines.append("budgets, rate limits, pins and the server's inputSchema are not judged by replay")
        return lines.joined(separator: "\n")
    }

    private static func title(of kind: Kind) -> String {
        switch kind {
        case .allowedToDenied: "allowed -> denied"
        case .deniedToAllowed: "denied -> allowed"
        case .deniedDifferently: "denied differently"
        case .needsApproval: "allowed -> needs approval"
        }
    }

    /// The report as one JSON object: `manifest`, `manifestSha256`, `calls`, `unchanged`,
    /// `counts` (by kind), `changes` (`kind`, `location`, `time`, `tool`, `recorded`, and `code`,
    /// `rule`, `reason` of a new denial), `notJudged` (`location`, `tool`, `why`), `skippedLines`.
    public var json: JSONValue {
        var counts = JSONObject()
        for kind in Kind.allCases { counts[kind.rawValue] = .number(String(changes.filter { $0.kind == kind }.count)) }
        counts["not_judged"] = .number(String(unjudged.count))
        var object = JSONObject()
        object["manifest"] = .string(manifest.file)
        object["manifestSha256"] = .string(manifest.sha256)
        object["calls"] = .number(String(calls))
        object["unchanged"] = .number(String(unchanged))
        object["counts"] = .object(counts)
        object["changes"] = .array(changes.map { change in
            var entry: JSONObject = ["kind": .string(change.kind.rawValue), "location": .string(change.location),
                                     "tool": .string(change.tool), "recorded": .string(change.recorded)]
            entry["time"] = change.time.map(JSONValue.string)
            if let denial = change.denial {
                entry["code"] = .string(denial.code.rawValue)
                entry["rule"] = denial.rule.map(JSONValue.string) ?? .null
                entry["reason"] = .string(denial.reason)
            }
            return .object(entry)
        })
        object["notJudged"] = .array(unjudged.map { .object(["location": .string($0.location), "tool": .string($0.tool), "why": .string($0.why)]) })
        object["skippedLines"] = .number(String(skippedLines))
        return .object(object)
    }
}
