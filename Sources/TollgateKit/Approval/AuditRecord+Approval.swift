extension AuditRecord {
    /// An `approval` record: how a held call's approval ended. Fields: `tool`, `rule`,
    /// `approved` (true or false), `by` (`client`, `command`, `timeout`, `none`, `abandoned`, `cancelled`),
    /// `detail` (the client's action, the command and its exit status, the time waited) and
    /// `argumentsSha256` of the call. A `decision` record follows (allowed, or denied with
    /// `approval_denied` / `approval_required`).
    public static func approval(_ outcome: ApprovalOutcome, call: ToolCall, rule: String, server: String?) -> AuditRecord {
        var record = AuditRecord(event: .approval)
        record[Field.server] = server.map(JSONValue.string)
        record[Field.tool] = .string(call.name)
        record[Field.rule] = .string(rule)
        record["approved"] = .bool(outcome.approved)
        record["by"] = .string(outcome.source.rawValue)
        record["detail"] = .string(outcome.detail)
        record[Field.argumentsSha256] = .string(argumentsSha256(.object(call.arguments)))
        return record
    }
}
