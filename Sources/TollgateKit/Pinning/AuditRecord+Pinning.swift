extension AuditRecord {
    /// A `tool_changed` record: a pinned tool's listed definition no longer matches its pin, so
    /// it was removed from `tools/list` and its calls are denied (`tool_changed`). Fields: `tool`,
    /// `rule`, `pin` (the manifest's), `listed` (the pin of what the server listed now),
    /// `changed` (the parts that differ, when Tollgate saw the pinned definition in this run)
    /// and `reason`.
    public static func toolChanged(_ change: PinCheck.Change, server: String?) -> AuditRecord {
        var record = AuditRecord(event: .toolChanged)
        record[Field.server] = server.map(JSONValue.string)
        record[Field.tool] = .string(change.tool)
        record[Field.rule] = .string(change.rule)
        record["pin"] = .string(change.pinned.description)
        record["listed"] = .string(change.listed.description)
        record["changed"] = .array(change.changedParts.map(JSONValue.string))
        record[Field.reason] = .string(change.reason)
        return record
    }
}
