extension AuditSummary {
    /// Calls whose client got a denial, by code, most frequent first.
    public var denialsByCode: [Tally] { review.denialsByCode }
    /// The same by `server/tool`.
    public var denialsByTool: [Tally] { review.denialsByTool }
    /// The five most frequent denial reasons.
    public var topReasons: [Reason] { review.topReasons }
    /// How approvals ended.
    public var approvals: Approvals { review.approvalFigures }
    /// Budget thresholds crossed.
    public var budgetCrossings: [Crossing] { review.budgetCrossings }
    /// Figures per agent, when records name agents (``Row/tool`` holds the agent).
    public var agents: [Row] { review.agentRows }
    /// Figures per workflow, when records name workflows (``Row/tool`` holds the workflow).
    public var workflows: [Row] { review.workflowRows }

    /// The review sections of the text, each only when it has something to say.
    var reviewText: [String] {
        var lines: [String] = []
        func list(_ tallies: [Tally]) -> String {
            tallies.map { "\(AuditLogFormat.printable($0.name)) \($0.count)" }.joined(separator: ", ")
        }
        if !denialsByCode.isEmpty {
            lines.append("")
            lines.append("denials by code: " + list(denialsByCode))
            lines.append("denials by tool: " + list(denialsByTool))
        }
        if !topReasons.isEmpty {
            lines.append("top reasons:")
            lines += Self.aligned(topReasons.map { ["  \($0.count)", $0.code, $0.reason] })
        }
        let approvals = approvals
        if approvals.total > 0 {
            lines.append("")
            lines.append("approvals: granted \(approvals.granted), denied \(approvals.denied), timed out \(approvals.timedOut) (by "
                + approvals.byWho.map { "\(AuditLogFormat.printable($0.name)) \($0.count)" }.joined(separator: ", ") + ")")
        }
        if !budgetCrossings.isEmpty {
            lines.append("")
            lines.append("budget crossings:")
            lines += Self.aligned(budgetCrossings.map { crossing in
                let last = crossing.lastTime.flatMap(AuditTimestamp.init(rfc3339:)).map(LocalTime.text) ?? "-"
                return ["  \(crossing.budget)", "\(crossing.percent)%", "\(crossing.count)x", "last \(Self.text(crossing.used)) of \(Self.text(crossing.cap)) \(crossing.counter)", "at \(last)"]
            })
        }
        for (title, rows) in [("AGENT", agents), ("WORKFLOW", workflows)] where !rows.isEmpty {
            lines.append("")
            lines += Self.aligned([[title, "ALLOWED", "DENIED", "WOULD_DENY", "CODES"]]
                + rows.map { row in
                    let all = cells(row, server: "", tool: row.tool)
                    return [all[1], all[2], all[3], all[4], all[9]]
                })
        }
        return lines
    }

    /// Adds the review figures to the JSON form: `since`, `chain`, `denialsByCode`,
    /// `denialsByTool`, `topReasons`, `approvals`, `budgetCrossings`, `agents`, `workflows`.
    func addReview(to object: inout JSONObject) {
        func number(_ value: Int) -> JSONValue { .number(String(value)) }
        func tallies(_ list: [Tally]) -> JSONValue { .array(list.map { .object(["name": .string($0.name), "count": number($0.count)]) }) }
        object["since"] = since.map { .string($0.rfc3339) } ?? .null
        if let verification {
            var chain: JSONObject = ["intact": .bool(verification.isIntact), "records": number(verification.records)]
            chain["problem"] = verification.problem.map { .string("\($0.record.location): \($0.message)") } ?? .null
            object["chain"] = .object(chain)
        } else {
            object["chain"] = .null
        }
        object["denialsByCode"] = tallies(denialsByCode)
        object["denialsByTool"] = tallies(denialsByTool)
        object["topReasons"] = .array(topReasons.map { .object(["code": .string($0.code), "reason": .string($0.reason), "count": number($0.count)]) })
        let approvals = approvals
        object["approvals"] = .object(["granted": number(approvals.granted), "denied": number(approvals.denied),
                                       "timedOut": number(approvals.timedOut), "byWho": tallies(approvals.byWho)])
        object["budgetCrossings"] = .array(budgetCrossings.map { crossing in
            .object(["budget": .string(crossing.budget), "counter": .string(crossing.counter), "percent": number(crossing.percent),
                     "count": number(crossing.count), "used": crossing.used ?? .null, "cap": crossing.cap ?? .null, "lastTime": crossing.lastTime.map(JSONValue.string) ?? .null])
        })
        for (key, name, rows) in [("agents", "agent", agents), ("workflows", "workflow", workflows)] {
            object[key] = .array(rows.map { row in
                var entry: JSONObject = [name: .string(row.tool)]
                if case .object(let figures) = json(row, named: false) { for member in figures.members { entry[member.key] = member.value } }
                return .object(entry)
            })
        }
    }

    /// A recorded figure as text: a number as written, anything else as JSON.
    static func text(_ value: JSONValue?) -> String {
        guard let value else { return "?" }
        if case .number(let text) = value { return text }
        return String(decoding: AuditRecord.canonicalBytes(value), as: UTF8.self)
    }
}
